using Fhir.Phr.Import.Dicom;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace Fhir.Phr.Import.Tests.Dicom;

public sealed class ImagingStudyMapperTests
{
    private static readonly ResourceReference Subject = new("Patient/example");

    /// <summary>The studies of pydicom's dicomdirtests tree as pydicom 2.3.1 reads them: series count and instances per series.</summary>
    private static readonly Dictionary<string, int[]> DicomDirStudies = new(StringComparer.Ordinal)
    {
        ["1.2.826.0.1.3680043.8.498.64108189007039777171766333999874882472"] = [50],
        ["1.3.6.1.4.1.5962.1.1.0.0.0.1194734704.16302.0.1"] = [2, 5],
        ["1.3.6.1.4.1.5962.1.1.0.0.0.1196527414.5534.0.1"] = [1, 1, 1],
        ["1.3.6.1.4.1.5962.1.1.0.0.0.1196530851.28319.0.1"] = [4],
        ["1.3.6.1.4.1.5962.1.1.0.0.0.1196533885.18148.0.1"] = [1, 3, 7],
        ["1.3.6.1.4.1.5962.1.1.0.0.0.1196533885.18148.0.133"] = [1, 3],
        ["1.3.6.1.4.1.5962.1.1.0.0.0.1196533885.18148.0.427"] = [1, 1],
    };

    private static string DicomDirTests => Path.Combine(DicomCorpus.TestFiles, "dicomdirtests");

    private static List<string> DicomDirFiles() =>
        [.. Directory.EnumerateFiles(DicomDirTests, "*", SearchOption.AllDirectories).Where(f => !f.Contains("README", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

    [Fact]
    public void MapStudies_DicomDirTestsTree_ProducesExactlyItsStudiesSeriesAndInstances()
    {
        var files = DicomDirFiles();
        var issues = new List<DicomMappingIssue>();

        var studies = ImagingStudyMapper.MapStudies(files.Select(f => DicomFile.Open(f).Dataset), _ => Subject, issues);

        var actual = studies.ToDictionary(
            s => ImagingStudyMapper.GetStudyInstanceUid(s)!,
            s => s.Series.Select(x => x.Instance.Count).Order().ToArray(),
            StringComparer.Ordinal);
        Assert.Equal(DicomDirStudies.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (uid, perSeries) in DicomDirStudies)
        {
            Assert.Equal(perSeries, actual[uid]);
        }

        Assert.Equal(81, studies.Sum(s => s.NumberOfInstances));
        Assert.Equal(14, studies.Sum(s => s.NumberOfSeries));
        Assert.All(studies, s => Assert.Equal(s.Series.Sum(x => x.Instance.Count), s.NumberOfInstances));
        Assert.All(studies, s => Assert.True(s.Started is null || FhirDateTime.IsValidValue(s.Started), s.Started));
        Assert.All(studies.SelectMany(s => s.Series), s => Assert.True(s.Started is null || FhirDateTime.IsValidValue(s.Started), s.Started));

        // The eight DICOMDIR files are directories, not instances: each is reported, none becomes a study.
        Assert.Equal(8, files.Count(f => Path.GetFileName(f).StartsWith("DICOMDIR", StringComparison.Ordinal)));
        Assert.Equal(8, issues.Count);
        Assert.All(issues, i => Assert.Equal(DicomMappingIssueCode.MissingStudyInstanceUid, i.Code));
    }

    [Fact]
    public void Merge_InstanceSentTwice_IsIdempotent()
    {
        var dataset = DicomFile.Open(Path.Combine(DicomDirTests, "98892003", "MR700", "4648")).Dataset;
        var study = ImagingStudyMapper.Create(Subject);
        var first = ImagingStudyMapper.Merge(study, dataset);
        var json = new FhirJsonSerializer().SerializeToString(study);

        var second = ImagingStudyMapper.Merge(study, dataset);

        Assert.Equal(ImagingStudyMergeOutcome.InstanceAdded, first.Outcome);
        Assert.Equal(ImagingStudyMergeOutcome.InstanceUnchanged, second.Outcome);
        Assert.Equal(json, new FhirJsonSerializer().SerializeToString(study));
    }

    [Fact]
    public void MapStudies_FilesInReverseOrder_GiveTheSameStudies()
    {
        var datasets = DicomDirFiles().Select(f => DicomFile.Open(f).Dataset).ToList();

        var forward = ImagingStudyMapper.MapStudies(datasets, _ => Subject, new List<DicomMappingIssue>());
        var backward = ImagingStudyMapper.MapStudies(Enumerable.Reverse(datasets), _ => Subject, new List<DicomMappingIssue>());

        static string[] Shape(IEnumerable<ImagingStudy> studies) =>
        [
            .. studies.SelectMany(s => s.Series.SelectMany(x => x.Instance.Select(i =>
                $"{ImagingStudyMapper.GetStudyInstanceUid(s)}/{s.Started}/{s.NumberOfInstances}/{x.Uid}/{x.Number}/{x.Modality.Code}/{i.Uid}/{i.Number}/{i.SopClass.Code}")))
                .Order(StringComparer.Ordinal),
        ];
        Assert.Equal(81, Shape(forward).Length);
        Assert.Equal(Shape(forward), Shape(backward));
    }

    [Fact]
    public void Merge_MrFile_MapsFieldsPerR4DicomMapping()
    {
        var dataset = DicomFile.Open(Path.Combine(DicomDirTests, "98892003", "MR700", "4648")).Dataset;
        var study = ImagingStudyMapper.Create(Subject);

        var result = ImagingStudyMapper.Merge(study, dataset);

        Assert.Empty(result.Issues);
        Assert.Equal(ImagingStudy.ImagingStudyStatus.Available, study.Status);
        Assert.Equal("Patient/example", study.Subject.Reference);
        var uid = Assert.Single(study.Identifier, i => i.System == "urn:dicom:uid");
        Assert.Equal("urn:oid:" + dataset.GetString(DicomTag.StudyInstanceUID), uid.Value);
        var accession = Assert.Single(study.Identifier, i => i.Type?.Coding.Any(c => c.Code == "ACSN" && c.System == "http://terminology.hl7.org/CodeSystem/v2-0203") == true);
        Assert.Equal("2", accession.Value);
        Assert.Contains(study.Identifier, i => i.Type?.Text == "Study ID" && i.Value == "2");
        Assert.Equal("2003-05-05T04:53:57+00:00", study.Started);
        Assert.Equal("Brain-MRA", study.Description);
        var modality = Assert.Single(study.Modality);
        Assert.Equal(("http://dicom.nema.org/resources/ontology/DCM", "MR"), (modality.System, modality.Code));
        var series = Assert.Single(study.Series);
        Assert.Equal(700, series.Number);
        Assert.Equal("MR", series.Modality.Code);
        var instance = Assert.Single(series.Instance);
        Assert.Equal(7, instance.Number);
        Assert.Equal(("urn:ietf:rfc:3986", "urn:oid:1.2.840.10008.5.1.4.1.1.4"), (instance.SopClass.System, instance.SopClass.Code));
        Assert.Equal(dataset.GetString(DicomTag.SOPInstanceUID), instance.Uid);
        Assert.Equal((1, 1, 1), (study.NumberOfSeries, study.NumberOfInstances, series.NumberOfInstances));
    }

    [Fact]
    public void Merge_InstanceOfAnotherStudy_IsRejectedWithCode()
    {
        var study = ImagingStudyMapper.Create(Subject);
        ImagingStudyMapper.Merge(study, TestDatasets.Instance("1.2.3", "1.2.3.1", "1.2.3.1.1"));

        var result = ImagingStudyMapper.Merge(study, TestDatasets.Instance("1.2.4", "1.2.4.1", "1.2.4.1.1"));

        Assert.Equal(ImagingStudyMergeOutcome.Rejected, result.Outcome);
        Assert.Equal(DicomMappingIssueCode.StudyInstanceUidMismatch, Assert.Single(result.Issues).Code);
        Assert.Equal(1, study.NumberOfInstances);
    }

    [Theory]
    [InlineData(nameof(DicomTag.SOPInstanceUID), DicomMappingIssueCode.MissingSopInstanceUid)]
    [InlineData(nameof(DicomTag.SOPClassUID), DicomMappingIssueCode.MissingSopClassUid)]
    [InlineData(nameof(DicomTag.SeriesInstanceUID), DicomMappingIssueCode.MissingSeriesInstanceUid)]
    [InlineData(nameof(DicomTag.Modality), DicomMappingIssueCode.MissingModality)]
    public void Merge_RequiredAttributeEmpty_IsRejectedWithCode(string keyword, DicomMappingIssueCode expected)
    {
        var study = ImagingStudyMapper.Create(Subject);
        var dataset = TestDatasets.Instance("1.2.3", "1.2.3.1", "1.2.3.1.1", "CT", (DicomTag.Parse(keyword), DicomVR.UI, string.Empty));

        var result = ImagingStudyMapper.Merge(study, dataset);

        Assert.Equal(ImagingStudyMergeOutcome.Rejected, result.Outcome);
        Assert.Equal(expected, Assert.Single(result.Issues).Code);
        Assert.Empty(study.Series);
    }

    [Fact]
    public void Merge_CorrectedInstanceResent_ReplacesIt()
    {
        var study = ImagingStudyMapper.Create(Subject);
        ImagingStudyMapper.Merge(study, TestDatasets.Instance("1.2.3", "1.2.3.1", "1.2.3.1.1", "CT", (DicomTag.InstanceNumber, DicomVR.IS, "1")));

        var result = ImagingStudyMapper.Merge(study, TestDatasets.Instance("1.2.3", "1.2.3.1", "1.2.3.1.1", "CT", (DicomTag.InstanceNumber, DicomVR.IS, "2")));

        Assert.Equal(ImagingStudyMergeOutcome.InstanceUpdated, result.Outcome);
        Assert.Equal(2, Assert.Single(Assert.Single(study.Series).Instance).Number);
    }

    [Theory]
    [InlineData("CHEST", "http://snomed.info/sct", "51185008")]
    [InlineData("KNEE", "http://snomed.info/sct", "72696002")]
    [InlineData("SOMETHINGELSE", null, null)]
    public void Merge_BodyPartExamined_MapsToSnomedOrKeepsText(string bodyPart, string? system, string? code)
    {
        var study = ImagingStudyMapper.Create(Subject);
        var dataset = TestDatasets.Instance("1.2.3", "1.2.3.1", "1.2.3.1.1", "CR", (DicomTag.BodyPartExamined, DicomVR.CS, bodyPart), (DicomTag.Laterality, DicomVR.CS, "L"));

        ImagingStudyMapper.Merge(study, dataset);

        var series = Assert.Single(study.Series);
        Assert.NotNull(series.BodySite);
        Assert.Equal((system, code), (series.BodySite.System, series.BodySite.Code));
        Assert.Equal(code is null ? bodyPart : series.BodySite.Display, series.BodySite.Display);
        Assert.Equal("419161000", series.Laterality?.Code);
    }

    [Theory]
    [InlineData("20240131", "101530.25", "-0500", null, "2024-01-31T10:15:30.25-05:00")]
    [InlineData("20240131", "101530", "", null, "2024-01-31")]
    [InlineData("20240131", "1015", "", 60, "2024-01-31T10:15:00+01:00")]
    [InlineData("20240131", "", "", 60, "2024-01-31")]
    public void Merge_StudyDateTimeAndOffset_BecomeStarted(string date, string time, string offset, int? defaultOffsetMinutes, string expected)
    {
        var study = ImagingStudyMapper.Create(Subject);
        var dataset = TestDatasets.Instance(
            "1.2.3", "1.2.3.1", "1.2.3.1.1", "CT",
            (DicomTag.StudyDate, DicomVR.DA, date), (DicomTag.StudyTime, DicomVR.TM, time), (DicomTag.TimezoneOffsetFromUTC, DicomVR.SH, offset));
        var options = new ImagingStudyMappingOptions { DefaultTimezoneOffset = defaultOffsetMinutes is { } m ? TimeSpan.FromMinutes(m) : null };

        ImagingStudyMapper.Merge(study, dataset, options);

        Assert.Equal(expected, study.Started);
    }

    [Fact]
    public void Merge_ReferrerAndReason_MappedAsDisplayAndText()
    {
        var study = ImagingStudyMapper.Create(Subject);
        var dataset = TestDatasets.Instance(
            "1.2.3", "1.2.3.1", "1.2.3.1.1", "CT",
            (DicomTag.ReferringPhysicianName, DicomVR.PN, "Smith^Anna^^Dr."), (DicomTag.ReasonForTheRequestedProcedure, DicomVR.LO, "Cough"));

        ImagingStudyMapper.Merge(study, dataset);

        Assert.Equal("Dr. Anna Smith", study.Referrer?.Display);
        Assert.Equal("Cough", Assert.Single(study.ReasonCode).Text);
    }
}
