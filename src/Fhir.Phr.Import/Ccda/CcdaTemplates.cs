using System.Collections.Frozen;

namespace Fhir.Phr.Import.Ccda;

/// <summary>A C-CDA document template: its name and the LOINC document type it fixes, used when ClinicalDocument/code is missing
/// (none for templates that allow any document type).</summary>
internal sealed record CcdaTemplate(string Name, string? LoincCode, string? LoincDisplay);

/// <summary>The C-CDA R2.1 document-level templates (HL7 C-CDA R2.1 volume 2, section 1) the converter recognises.</summary>
internal static class CcdaTemplates
{
    public const string UsRealmHeader = "2.16.840.1.113883.10.20.22.1.1";

    /// <summary>C-CDA R2.1 marks its templates with this extension; R1.1 templates have none.</summary>
    public const string Release21 = "2015-08-01";

    public static readonly FrozenDictionary<string, CcdaTemplate> Documents = new Dictionary<string, CcdaTemplate>
    {
        ["2.16.840.1.113883.10.20.22.1.2"] = new("Continuity of Care Document", "34133-9", "Summary of episode note"),
        ["2.16.840.1.113883.10.20.22.1.3"] = new("History and Physical", "34117-2", "History and physical note"),
        ["2.16.840.1.113883.10.20.22.1.4"] = new("Consultation Note", "11488-4", "Consult note"),
        ["2.16.840.1.113883.10.20.22.1.5"] = new("Diagnostic Imaging Report", "18748-4", "Diagnostic imaging study"),
        ["2.16.840.1.113883.10.20.22.1.6"] = new("Procedure Note", "28570-0", "Procedure note"),
        ["2.16.840.1.113883.10.20.22.1.7"] = new("Operative Note", "11504-8", "Surgical operation note"),
        ["2.16.840.1.113883.10.20.22.1.8"] = new("Discharge Summary", "18842-5", "Discharge summary"),
        ["2.16.840.1.113883.10.20.22.1.9"] = new("Progress Note", "11506-3", "Progress note"),
        ["2.16.840.1.113883.10.20.22.1.10"] = new("Unstructured Document", null, null),
        ["2.16.840.1.113883.10.20.22.1.13"] = new("Transfer Summary", "18761-7", "Transfer summary note"),
        ["2.16.840.1.113883.10.20.22.1.14"] = new("Referral Note", "57133-1", "Referral note"),
        ["2.16.840.1.113883.10.20.22.1.15"] = new("Care Plan", "52521-2", "Overall plan of care/advance care directives"),
    }.ToFrozenDictionary(StringComparer.Ordinal);
}
