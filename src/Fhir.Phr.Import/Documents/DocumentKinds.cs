namespace Fhir.Phr.Import.Documents;

/// <summary>A kind of clinical document, its LOINC document code, and the words that give it away, each with a weight.</summary>
public sealed record DocumentKind(string LoincCode, string Display, IReadOnlyList<(string Phrase, int Weight)> Cues);

/// <summary>The kinds the classifier tells apart (LOINC document ontology codes, as the CSV index uses).</summary>
internal static class DocumentKinds
{
    public static readonly IReadOnlyList<DocumentKind> All =
    [
        new("18842-5", "Discharge summary",
            [("discharge summary", 4), ("hospital course", 2), ("discharge diagnosis", 2), ("discharge medications", 2), ("discharge date", 1), ("date of discharge", 1), ("admission date", 1), ("discharged", 1)]),
        new("11502-2", "Laboratory report",
            [("laboratory report", 4), ("lab report", 4), ("laboratory results", 4), ("lab results", 4), ("reference range", 2), ("specimen", 2), ("mmol/l", 1), ("haemoglobin", 1), ("hemoglobin", 1), ("laboratory", 1)]),
        new("18748-4", "Diagnostic imaging study",
            [("radiology report", 4), ("imaging report", 4), ("radiology", 2), ("impression", 1), ("findings", 1), ("ct", 1), ("mri", 1), ("x-ray", 1), ("ultrasound", 1), ("contrast", 1), ("scan", 1)]),
        new("57833-6", "Prescription for medication",
            [("prescription", 4), ("rx", 2), ("sig", 2), ("refills", 2), ("dispense", 2), ("tablets", 1)]),
        new("57133-1", "Referral note",
            [("referral", 4), ("reason for referral", 2), ("referred", 2), ("grateful if you could see", 2), ("dear dr", 1)]),
        new("11506-3", "Progress note",
            [("progress note", 4), ("subjective", 1), ("objective", 1), ("assessment", 1), ("plan", 1), ("date of service", 1), ("follow-up", 1)]),
        new("11488-4", "Consult note",
            [("consultation", 4), ("consult note", 4), ("reason for consultation", 2), ("consultant", 1)]),
    ];
}
