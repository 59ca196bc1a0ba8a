using Fhir.Phr.Import.Dicom;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Import.Tests.Dicom;

public sealed class DicomPatientMapperTests
{
    [Fact]
    public void TryBuild_MrFile_MapsIdentifierNameAndSex()
    {
        var dataset = DicomFile.Open(Path.Combine(DicomCorpus.TestFiles, "dicomdirtests", "98892003", "MR700", "4648")).Dataset;

        var ok = DicomPatientMapper.TryBuild(dataset, "urn:example:mrn", out var patient, out var issues);

        Assert.True(ok);
        Assert.Empty(issues);
        var identifier = Assert.Single(patient.Identifier);
        Assert.Equal(("urn:example:mrn", "98890234"), (identifier.System, identifier.Value));
        var name = Assert.Single(patient.Name);
        Assert.Equal(("Doe", "Peter", HumanName.NameUse.Usual), (name.Family, Assert.Single(name.Given), name.Use));
        Assert.Equal(AdministrativeGender.Male, patient.Gender);
        Assert.Null(patient.BirthDate);
    }

    [Fact]
    public void TryBuild_IssuerIsOid_BecomesIdentifierSystem()
    {
        var dataset = TestDatasets.Text((DicomTag.PatientID, DicomVR.LO, "123"), (DicomTag.IssuerOfPatientID, DicomVR.LO, "1.2.840.99.1"));

        DicomPatientMapper.TryBuild(dataset, "urn:example:default", out var patient, out _);

        Assert.Equal("urn:oid:1.2.840.99.1", Assert.Single(patient.Identifier).System);
    }

    [Fact]
    public void TryBuild_IssuerIsPlainText_KeptAsAssignerWithDefaultSystem()
    {
        var dataset = TestDatasets.Text((DicomTag.PatientID, DicomVR.LO, "123"), (DicomTag.IssuerOfPatientID, DicomVR.LO, "HOSPITAL A"));

        DicomPatientMapper.TryBuild(dataset, "urn:example:default", out var patient, out _);

        var identifier = Assert.Single(patient.Identifier);
        Assert.Equal(("urn:example:default", "HOSPITAL A"), (identifier.System, identifier.Assigner?.Display));
    }

    [Theory]
    [InlineData("M", AdministrativeGender.Male, null)]
    [InlineData("F", AdministrativeGender.Female, null)]
    [InlineData("O", AdministrativeGender.Other, null)]
    [InlineData("", null, null)]
    [InlineData("X", AdministrativeGender.Unknown, DicomMappingIssueCode.InvalidPatientSex)]
    public void TryBuild_PatientSex_MapsToGender(string sex, AdministrativeGender? gender, DicomMappingIssueCode? issue)
    {
        var dataset = TestDatasets.Text((DicomTag.PatientID, DicomVR.LO, "123"), (DicomTag.PatientSex, DicomVR.CS, sex));

        DicomPatientMapper.TryBuild(dataset, null, out var patient, out var issues);

        Assert.Equal(gender, patient.Gender);
        Assert.Equal(issue, issues.Select(i => (DicomMappingIssueCode?)i.Code).SingleOrDefault());
    }

    [Fact]
    public void TryBuild_BirthDate_BecomesFhirDate()
    {
        var dataset = TestDatasets.Text((DicomTag.PatientID, DicomVR.LO, "123"), (DicomTag.PatientBirthDate, DicomVR.DA, "19700228"));

        DicomPatientMapper.TryBuild(dataset, null, out var patient, out _);

        Assert.Equal("1970-02-28", patient.BirthDate);
    }

    [Fact]
    public void TryBuild_NoPatientId_FailsWithCode()
    {
        var dataset = TestDatasets.Text((DicomTag.PatientName, DicomVR.PN, "Doe^Jane"));

        var ok = DicomPatientMapper.TryBuild(dataset, null, out _, out var issues);

        Assert.False(ok);
        Assert.Equal(DicomMappingIssueCode.MissingPatientId, Assert.Single(issues).Code);
    }

    [Fact]
    public void TryBuild_JapaneseThreeGroupName_KeepsEachGroupWithRepresentation()
    {
        var dataset = DicomFile.Open(Path.Combine(DicomCorpus.CharsetFiles, "chrH31.dcm")).Dataset;
        var withId = TestDatasets.Text((DicomTag.PatientID, DicomVR.LO, "J1"));
        foreach (var item in dataset)
        {
            withId.Add(item);
        }

        DicomPatientMapper.TryBuild(withId, null, out var patient, out _);

        Assert.Equal(["Yamada", "山田", "やまだ"], patient.Name.Select(n => n.Family));
        Assert.Equal(["ABC", "IDE", "SYL"], patient.Name.Select(n => n.GetExtensionValue<Code>(DicomPatientMapper.NameRepresentationExtension)?.Value));
    }
}
