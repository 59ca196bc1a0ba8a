using Hl7.Fhir.Model;

namespace Fhir.Phr.Import.Dicom;

/// <summary>
/// The Patient module (PS3.3 §C.7.1.1) of a data set as a FHIR R4 Patient, for find-or-create by
/// identifier. Follows DICOMcast's rules (PatientID required; sex M/F/O; empty means unknown).
/// </summary>
public static class DicomPatientMapper
{
    /// <summary>R4 extension to tell the alphabetic, ideographic and phonetic PN groups apart.</summary>
    public const string NameRepresentationExtension = "http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation";

    /// <summary>
    /// Builds the Patient. The identifier system is IssuerOfPatientID (0010,0021) when that is a URI or
    /// an OID; otherwise <paramref name="defaultIdentifierSystem"/>, with the issuer text kept as the
    /// identifier's assigner so nothing the sender wrote is lost.
    /// </summary>
    public static bool TryBuild(DicomDataset dataset, string? defaultIdentifierSystem, out Patient patient, out IReadOnlyList<DicomMappingIssue> issues)
    {
        var found = new List<DicomMappingIssue>();
        issues = found;
        patient = new Patient();
        var patientId = dataset.GetSingleValueOrDefault(DicomTag.PatientID);
        if (patientId is null)
        {
            found.Add(new DicomMappingIssue(DicomMappingIssueCode.MissingPatientId, "PatientID (0010,0020) is missing or empty", DicomTag.PatientID));
            return false;
        }

        var issuer = dataset.GetSingleValueOrDefault(DicomTag.IssuerOfPatientID);
        var issuerSystem = IssuerSystem(issuer);
        var identifier = new Identifier(issuerSystem ?? defaultIdentifierSystem, patientId);
        if (issuer is not null && issuerSystem is null)
        {
            identifier.Assigner = new ResourceReference { Display = issuer };
        }

        patient.Identifier.Add(identifier);
        if (dataset.GetPersonName(DicomTag.PatientName) is { IsEmpty: false } name)
        {
            AddNames(patient, name);
        }

        if (dataset.GetSingleValueOrDefault(DicomTag.PatientBirthDate) is not null)
        {
            if (dataset.TryGetDate(DicomTag.PatientBirthDate, out var birthDate))
            {
                patient.BirthDateElement = new Date(birthDate.Year, birthDate.Month, birthDate.Day);
            }
            else
            {
                found.Add(new DicomMappingIssue(DicomMappingIssueCode.InvalidDate, "PatientBirthDate (0010,0030) is not a DICOM date", DicomTag.PatientBirthDate));
            }
        }

        switch (dataset.GetSingleValueOrDefault(DicomTag.PatientSex)?.ToUpperInvariant())
        {
            case null:
                break;
            case "M":
                patient.Gender = AdministrativeGender.Male;
                break;
            case "F":
                patient.Gender = AdministrativeGender.Female;
                break;
            case "O":
                patient.Gender = AdministrativeGender.Other;
                break;
            case var other:
                patient.Gender = AdministrativeGender.Unknown;
                found.Add(new DicomMappingIssue(DicomMappingIssueCode.InvalidPatientSex, $"PatientSex '{other}' is not M, F or O", DicomTag.PatientSex));
                break;
        }

        return true;
    }

    private static void AddNames(Patient patient, DicomPersonName name)
    {
        var groups = new[] { (name.Alphabetic, "ABC"), (name.Ideographic, "IDE"), (name.Phonetic, "SYL") }.Where(g => !g.Item1.IsEmpty).ToArray();
        foreach (var (group, representation) in groups)
        {
            var human = new HumanName
            {
                Use = patient.Name.Count == 0 ? HumanName.NameUse.Usual : null,
                Family = group.FamilyName.Length > 0 ? group.FamilyName : null,
                Text = group.ToDisplayString(),
            };
            human.Given = new[] { group.GivenName, group.MiddleName }.Where(s => s.Length > 0).ToList();
            human.Prefix = group.Prefix.Length > 0 ? [group.Prefix] : [];
            human.Suffix = group.Suffix.Length > 0 ? [group.Suffix] : [];
            if (groups.Length > 1)
            {
                human.AddExtension(NameRepresentationExtension, new Code(representation));
            }

            patient.Name.Add(human);
        }
    }

    private static string? IssuerSystem(string? issuer)
    {
        if (issuer is null)
        {
            return null;
        }

        if (issuer.Length > 2 && issuer.All(c => char.IsAsciiDigit(c) || c == '.') && char.IsAsciiDigit(issuer[0]) && issuer.Contains('.', StringComparison.Ordinal))
        {
            return "urn:oid:" + issuer;
        }

        return Uri.TryCreate(issuer, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "urn" ? issuer : null;
    }
}
