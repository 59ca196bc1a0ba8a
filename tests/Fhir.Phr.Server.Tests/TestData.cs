using Hl7.Fhir.Model;

namespace Fhir.Phr.Server.Tests;

/// <summary>Builders for resources that satisfy the PHR profiles, each with unique values.</summary>
internal static class TestData
{
    public static string Unique(string prefix = "t") => prefix + Guid.NewGuid().ToString("N")[..10];

    /// <summary>A name of letters only (Soundex and name matching ignore digits), unique to the caller: e.g. "Bergqkzxtw".</summary>
    public static string UniqueName(string prefix) =>
        prefix + new string(Guid.NewGuid().ToString("N")[..8].Select(c => (char)('a' + (c % 26))).ToArray());

    public static Patient Patient(string? family = null, string? mrn = null, string birthDate = "1980-05-03", AdministrativeGender gender = AdministrativeGender.Female) => new()
    {
        Identifier = [new Identifier("urn:oid:1.2.36.146.595.217.0.1", mrn ?? Unique("mrn"))],
        Name = [new HumanName { Family = family ?? Unique("Fam"), Given = ["Anna", "Maria"] }],
        BirthDate = birthDate,
        Gender = gender,
        Telecom = [new ContactPoint(ContactPoint.ContactPointSystem.Email, ContactPoint.ContactPointUse.Home, Unique("mail") + "@example.org")],
    };

    public static DocumentReference Document(string patientReference, string date = "2024-03-01T10:00:00Z", string loinc = "18842-5", string? title = null) => new()
    {
        Status = DocumentReferenceStatus.Current,
        Type = new CodeableConcept("http://loinc.org", loinc, "Discharge summary"),
        Subject = new ResourceReference(patientReference),
        DateElement = new Instant(DateTimeOffset.Parse(date, System.Globalization.CultureInfo.InvariantCulture)),
        Content = [new DocumentReference.ContentComponent { Attachment = new Attachment { ContentType = "application/pdf", Title = title ?? Unique("file") + ".pdf", Data = [1, 2, 3] } }],
    };

    public static ImagingStudy Study(string patientReference, string? uid = null)
    {
        uid ??= "2.25." + new Random().NextInt64(1, long.MaxValue);
        return new ImagingStudy
        {
            Status = ImagingStudy.ImagingStudyStatus.Available,
            Identifier = [new Identifier("urn:dicom:uid", "urn:oid:" + uid)],
            Subject = new ResourceReference(patientReference),
            Started = "2024-02-01T08:30:00Z",
            Series =
            [
                new ImagingStudy.SeriesComponent
                {
                    Uid = uid + ".1",
                    Modality = new Coding("http://dicom.nema.org/resources/ontology/DCM", "CR"),
                    Instance = [new ImagingStudy.InstanceComponent { Uid = uid + ".1.1", SopClass = new Coding("urn:ietf:rfc:3986", "urn:oid:1.2.840.10008.5.1.4.1.1.1") }],
                },
            ],
        };
    }
}
