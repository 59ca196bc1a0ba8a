using Fhir.Phr.Import.Ccda;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Import.Tests.Ccda;

public sealed class CcdaPatientTests
{
    private const string Oid = "urn:oid:2.16.840.1.113883.3.9999.";

    /// <summary>file, first identifier (system|value), family, given names, gender, birth date.</summary>
    public static TheoryData<string, string, string?, string, AdministrativeGender?, string?> Patients => new()
    {
        { "ccd.xml", Oid + "1|4471203", "Okafor", "Adaeze Ngozi", AdministrativeGender.Female, "1961-02-14" },
        { "discharge-summary.xml", Oid + "1|300517", "Chen", "Wei", AdministrativeGender.Male, "1988-11-02" },
        { "referral-note.xml", Oid + "2|LAB-00981", "Berg", "Jonas", AdministrativeGender.Male, "1975-07-30" },
        { "imaging-report.xml", Oid + "1|RAD-552817", "Lopez Garcia", "Maria", AdministrativeGender.Female, "1990-05-03" },
        { "progress-note.xml", Oid + "1|88213", "Nowak", "Tomasz", AdministrativeGender.Male, "1948-09-21" },
        { "consultation-note.xml", Oid + "1|551020", "O'Neill", "Grace", AdministrativeGender.Unknown, "1972" },
        { "history-and-physical.xml", Oid + "1|770044", "Taylor", "Sam", AdministrativeGender.Other, "1950-01-01" },
        { "plain-cda-unknown-template.xml", "urn:oid:1.2.3.4.5.6.7.9|P-1", "Duarte", "Ines", null, null },
    };

    [Theory]
    [MemberData(nameof(Patients))]
    public void TryConvert_RecordTarget_MapsIdentifierNameGenderAndBirthDate(string file, string identifier, string? family, string given, AdministrativeGender? gender, string? birthDate)
    {
        var patient = CcdaSamples.Convert(file).Resources.OfType<Patient>().First();

        Assert.Equal(identifier, $"{patient.Identifier[0].System}|{patient.Identifier[0].Value}");
        Assert.Equal(family, patient.Name[0].Family);
        Assert.Equal(given, string.Join(' ', patient.Name[0].Given));
        Assert.Equal(gender, patient.Gender);
        Assert.Equal(birthDate, patient.BirthDate);
    }

    [Fact]
    public void TryConvert_Ccd_MapsEveryDemographicOfPatientRole()
    {
        var patient = CcdaSamples.Convert("ccd.xml").Resources.OfType<Patient>().Single();

        Assert.Equal(["urn:oid:2.16.840.1.113883.3.9999.1|4471203", "urn:oid:2.16.840.1.113883.4.1|999-12-3456"], patient.Identifier.Select(i => $"{i.System}|{i.Value}"));
        var official = patient.Name[0];
        Assert.Equal((HumanName.NameUse.Official, "Mrs.", "PhD"), (official.Use, official.Prefix.Single(), official.Suffix.Single()));
        Assert.Equal((HumanName.NameUse.Nickname, "Ada"), (patient.Name[1].Use, patient.Name[1].Given.Single()));
        var address = patient.Address.Single();
        Assert.Equal((Address.AddressUse.Home, "Portsmouth", "NH", "03801", "US", "Rockingham"), (address.Use, address.City, address.State, address.PostalCode, address.Country, address.District));
        Assert.Equal(["12 Harbour Road", "Flat 3"], address.Line);
        Assert.Equal(
            [(ContactPoint.ContactPointSystem.Phone, "+1(555)555-2004", ContactPoint.ContactPointUse.Home), (ContactPoint.ContactPointSystem.Phone, "+1-555-555-7788", ContactPoint.ContactPointUse.Mobile), (ContactPoint.ContactPointSystem.Email, "adaeze.okafor@example.org", ContactPoint.ContactPointUse.Home)],
            patient.Telecom.Select(t => (t.System!.Value, t.Value, t.Use!.Value)));
        Assert.Equal(("http://terminology.hl7.org/CodeSystem/v3-MaritalStatus", "M"), (patient.MaritalStatus.Coding[0].System, patient.MaritalStatus.Coding[0].Code));
        Assert.Equal([("en", true), ("ig", false)], patient.Communication.Select(c => (c.Language.Coding[0].Code, c.Preferred!.Value)));
        Assert.All(patient.Communication, c => Assert.Equal("urn:ietf:bcp:47", c.Language.Coding[0].System));
        Assert.Equal(("St. Elsewhere General Hospital", "SEGH"), (patient.ManagingOrganization.Display, patient.ManagingOrganization.Identifier.Value));
    }

    [Fact]
    public void TryConvert_BirthTimeWithTime_KeepsTheTimeInTheBirthTimeExtension()
    {
        var patient = CcdaSamples.Convert("discharge-summary.xml").Resources.OfType<Patient>().Single();

        var birthTime = patient.BirthDateElement.GetExtensionValue<FhirDateTime>(CcdaPatientMapper.BirthTimeExtension);
        Assert.Equal("1988-11-02T08:15:00-06:00", birthTime.Value);
        Assert.Equal(("http://terminology.hl7.org/CodeSystem/v3-MaritalStatus", "S"), (patient.MaritalStatus.Coding[0].System, patient.MaritalStatus.Coding[0].Code));
    }

    [Fact]
    public void TryConvert_SdtcDeceasedTime_IsTheDeceasedDate()
    {
        var patient = CcdaSamples.Convert("history-and-physical.xml").Resources.OfType<Patient>().Single();

        Assert.Equal("2026-01-05", Assert.IsType<FhirDateTime>(patient.Deceased).Value);
    }

    [Fact]
    public void TryConvert_UuidRootsAndRootOnlyIds_FollowTheIiMapping()
    {
        var patient = CcdaSamples.Convert("discharge-summary-no-code.xml").Resources.OfType<Patient>().Single();

        Assert.Equal(
            ["urn:uuid:7f3e2d1c-0b9a-4f8e-8d7c-6b5a4f3e2d1c|PAT-9", "urn:ietf:rfc:3986|urn:oid:2.16.840.1.113883.3.9999.1"],
            patient.Identifier.Select(i => $"{i.System}|{i.Value}"));
        Assert.Equal("Lee Park", patient.Name.Single().Text);
    }

    [Fact]
    public void TryConvert_TwoRecordTargets_GivesTwoPatientsAndTheFirstIsTheSubject()
    {
        var result = CcdaSamples.Convert("transfer-summary-two-patients.xml");

        Assert.Equal(["300517", "551020"], result.Resources.OfType<Patient>().Select(p => p.Identifier[0].Value));
        Assert.Equal("300517", result.Resources.OfType<DocumentReference>().Single().Subject.Identifier.Value);
        var issue = Assert.Single(result.Issues);
        Assert.Equal((CcdaIssueCode.MultipleRecordTargets, CcdaIssueSeverity.Warning, 14), (issue.Code, issue.Severity, issue.Line));
    }
}
