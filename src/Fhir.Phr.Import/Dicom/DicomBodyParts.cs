using Hl7.Fhir.Model;

namespace Fhir.Phr.Import.Dicom;

/// <summary>
/// Body Part Examined (0018,0015) defined terms mapped to SNOMED CT as in PS3.16 Annex L
/// (CID 4031 "Common Anatomic Regions"). A small built-in table; an unknown term stays as display text.
/// </summary>
internal static class DicomBodyParts
{
    internal const string SnomedSystem = "http://snomed.info/sct";

    private static readonly Dictionary<string, (string Code, string Display)> Map = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ABDOMEN"] = ("113345001", "Abdominal structure"),
        ["ANKLE"] = ("344001", "Ankle region structure"),
        ["BRAIN"] = ("12738006", "Brain structure"),
        ["BREAST"] = ("76752008", "Breast structure"),
        ["CHEST"] = ("51185008", "Thoracic structure"),
        ["CSPINE"] = ("122494005", "Cervical spine structure"),
        ["ELBOW"] = ("127949000", "Elbow region structure"),
        ["EXTREMITY"] = ("66019005", "Limb structure"),
        ["FOOT"] = ("56459004", "Foot structure"),
        ["HAND"] = ("85562004", "Hand structure"),
        ["HEAD"] = ("69536005", "Head structure"),
        ["HEART"] = ("80891009", "Heart structure"),
        ["HIP"] = ("29836001", "Hip region structure"),
        ["KIDNEY"] = ("64033007", "Kidney structure"),
        ["KNEE"] = ("72696002", "Knee region structure"),
        ["LIVER"] = ("10200004", "Liver structure"),
        ["LSPINE"] = ("122496007", "Lumbar spine structure"),
        ["LUNG"] = ("39607008", "Lung structure"),
        ["NECK"] = ("45048000", "Neck structure"),
        ["PELVIS"] = ("12921003", "Pelvis structure"),
        ["PROSTATE"] = ("41216001", "Prostatic structure"),
        ["SHOULDER"] = ("16982005", "Shoulder region structure"),
        ["SKULL"] = ("89546000", "Bone structure of cranium"),
        ["SPINE"] = ("421060004", "Structure of vertebral column"),
        ["THYROID"] = ("69748006", "Thyroid structure"),
        ["TSPINE"] = ("122495006", "Thoracic spine structure"),
    };

    internal static Coding ToCoding(string bodyPartExamined)
    {
        var term = bodyPartExamined.Trim();
        return Map.TryGetValue(term, out var snomed)
            ? new Coding(SnomedSystem, snomed.Code, snomed.Display)
            : new Coding { Display = term };
    }
}
