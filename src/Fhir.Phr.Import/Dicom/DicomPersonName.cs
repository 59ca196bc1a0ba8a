namespace Fhir.Phr.Import.Dicom;

/// <summary>
/// A PN value (PS3.5 §6.2.1): up to three component groups separated by '=' (alphabetic,
/// ideographic, phonetic), each with up to five components separated by '^'.
/// </summary>
public sealed record DicomPersonName
{
    private DicomPersonName(string value, DicomPersonNameGroup alphabetic, DicomPersonNameGroup ideographic, DicomPersonNameGroup phonetic)
    {
        Value = value;
        Alphabetic = alphabetic;
        Ideographic = ideographic;
        Phonetic = phonetic;
    }

    public string Value { get; }

    public DicomPersonNameGroup Alphabetic { get; }

    public DicomPersonNameGroup Ideographic { get; }

    public DicomPersonNameGroup Phonetic { get; }

    public bool IsEmpty => Alphabetic.IsEmpty && Ideographic.IsEmpty && Phonetic.IsEmpty;

    public static DicomPersonName Parse(string value)
    {
        var groups = value.Split('=', 3);
        return new DicomPersonName(
            value,
            DicomPersonNameGroup.Parse(groups[0]),
            DicomPersonNameGroup.Parse(groups.Length > 1 ? groups[1] : string.Empty),
            DicomPersonNameGroup.Parse(groups.Length > 2 ? groups[2] : string.Empty));
    }

    public override string ToString() => Value;
}

public sealed record DicomPersonNameGroup(string FamilyName, string GivenName, string MiddleName, string Prefix, string Suffix)
{
    public bool IsEmpty => FamilyName.Length == 0 && GivenName.Length == 0 && MiddleName.Length == 0 && Prefix.Length == 0 && Suffix.Length == 0;

    /// <summary>Components in reading order, e.g. "Dr. John Q. Smith Jr.", for display fields.</summary>
    public string ToDisplayString() =>
        string.Join(' ', new[] { Prefix, GivenName, MiddleName, FamilyName, Suffix }.Where(s => s.Length > 0));

    internal static DicomPersonNameGroup Parse(string group)
    {
        var parts = group.Split('^', 5);
        string At(int i) => i < parts.Length ? parts[i].Trim() : string.Empty;
        return new DicomPersonNameGroup(At(0), At(1), At(2), At(3), At(4));
    }
}
