using Hl7.Fhir.Model;

namespace Fhir.Phr.Import.Dicom;

public enum ImagingStudyMergeOutcome
{
    Rejected = 1,
    InstanceAdded,
    InstanceUnchanged,
    InstanceUpdated,
}

public sealed record ImagingStudyMergeResult(ImagingStudyMergeOutcome Outcome, IReadOnlyList<DicomMappingIssue> Issues);

public sealed record ImagingStudyMappingOptions
{
    public static ImagingStudyMappingOptions Default { get; } = new();

    /// <summary>
    /// Offset for DICOM times sent without TimezoneOffsetFromUTC (0008,0201). FHIR dateTime needs a
    /// zone once a time is given (R4 datatypes.html#dateTime); without this, started keeps only the date.
    /// </summary>
    public TimeSpan? DefaultTimezoneOffset { get; init; }
}

/// <summary>
/// DICOM data sets to FHIR R4 ImagingStudy per the R4 mapping (imagingstudy-mappings.html#dicom).
/// Pure functions: one study is built up by merging the data sets of its instances one at a time,
/// in any order; merging an instance again changes nothing.
/// </summary>
public static class ImagingStudyMapper
{
    public const string DicomUidSystem = "urn:dicom:uid";
    public const string DcmSystem = "http://dicom.nema.org/resources/ontology/DCM";
    public const string Rfc3986System = "urn:ietf:rfc:3986";
    public const string V20203System = "http://terminology.hl7.org/CodeSystem/v2-0203";

    /// <summary>One ImagingStudy per StudyInstanceUID among the data sets; data sets that cannot be mapped are reported in <paramref name="issues"/>.</summary>
    public static IReadOnlyList<ImagingStudy> MapStudies(
        IEnumerable<DicomDataset> datasets,
        Func<DicomDataset, ResourceReference> subjectOf,
        ICollection<DicomMappingIssue> issues,
        ImagingStudyMappingOptions? options = null)
    {
        var studies = new Dictionary<string, ImagingStudy>(StringComparer.Ordinal);
        foreach (var dataset in datasets)
        {
            var uid = dataset.GetSingleValueOrDefault(DicomTag.StudyInstanceUID);
            if (uid is null)
            {
                issues.Add(new DicomMappingIssue(DicomMappingIssueCode.MissingStudyInstanceUid, "StudyInstanceUID is missing", DicomTag.StudyInstanceUID));
                continue;
            }

            if (!studies.TryGetValue(uid, out var study))
            {
                study = Create(subjectOf(dataset));
            }

            var result = Merge(study, dataset, options);
            foreach (var issue in result.Issues)
            {
                issues.Add(issue);
            }

            if (result.Outcome != ImagingStudyMergeOutcome.Rejected)
            {
                studies.TryAdd(uid, study);
            }
        }

        return [.. studies.Values];
    }

    /// <summary>An empty study for the given patient; the first merged data set sets its StudyInstanceUID.</summary>
    public static ImagingStudy Create(ResourceReference subject) => new()
    {
        Status = ImagingStudy.ImagingStudyStatus.Available,
        Subject = subject,
    };

    /// <summary>The StudyInstanceUID the study carries as its urn:dicom:uid identifier, if any.</summary>
    public static string? GetStudyInstanceUid(ImagingStudy study) =>
        study.Identifier.FirstOrDefault(i => i.System == DicomUidSystem)?.Value is { } value && value.StartsWith("urn:oid:", StringComparison.Ordinal)
            ? value["urn:oid:".Length..]
            : null;

    /// <summary>
    /// Adds the instance of <paramref name="dataset"/> to <paramref name="study"/>, with its series.
    /// Study and series attributes already present are kept (first arrival wins), so the result does
    /// not depend on how often an instance is sent.
    /// </summary>
    public static ImagingStudyMergeResult Merge(ImagingStudy study, DicomDataset dataset, ImagingStudyMappingOptions? options = null)
    {
        options ??= ImagingStudyMappingOptions.Default;
        var issues = new List<DicomMappingIssue>();
        var studyUid = dataset.GetSingleValueOrDefault(DicomTag.StudyInstanceUID);
        var seriesUid = dataset.GetSingleValueOrDefault(DicomTag.SeriesInstanceUID);
        var sopUid = dataset.GetSingleValueOrDefault(DicomTag.SOPInstanceUID);
        var sopClass = dataset.GetSingleValueOrDefault(DicomTag.SOPClassUID);
        var modality = dataset.GetSingleValueOrDefault(DicomTag.Modality);
        Require(studyUid, DicomMappingIssueCode.MissingStudyInstanceUid, DicomTag.StudyInstanceUID);
        Require(seriesUid, DicomMappingIssueCode.MissingSeriesInstanceUid, DicomTag.SeriesInstanceUID);
        Require(sopUid, DicomMappingIssueCode.MissingSopInstanceUid, DicomTag.SOPInstanceUID);
        Require(sopClass, DicomMappingIssueCode.MissingSopClassUid, DicomTag.SOPClassUID);

        // R4: series.modality is 1..1.
        Require(modality, DicomMappingIssueCode.MissingModality, DicomTag.Modality);
        var existingUid = GetStudyInstanceUid(study);
        if (existingUid is not null && studyUid is not null && existingUid != studyUid)
        {
            issues.Add(new DicomMappingIssue(
                DicomMappingIssueCode.StudyInstanceUidMismatch,
                $"Instance belongs to study {studyUid}, not {existingUid}",
                DicomTag.StudyInstanceUID));
        }

        if (issues.Count > 0)
        {
            return new ImagingStudyMergeResult(ImagingStudyMergeOutcome.Rejected, issues);
        }

        MergeStudyAttributes(study, dataset, studyUid!, options, issues);
        var series = study.Series.FirstOrDefault(s => s.Uid == seriesUid);
        if (series is null)
        {
            series = new ImagingStudy.SeriesComponent { Uid = seriesUid, Modality = new Coding(DcmSystem, modality) };
            study.Series.Add(series);
        }

        MergeSeriesAttributes(series, dataset, options, issues);
        var outcome = MergeInstance(series, dataset, sopUid!, sopClass!);

        if (!study.Modality.Any(m => m.Code == series.Modality.Code))
        {
            study.Modality.Add(new Coding(DcmSystem, series.Modality.Code));
        }

        series.NumberOfInstances = series.Instance.Count;
        study.NumberOfSeries = study.Series.Count;
        study.NumberOfInstances = study.Series.Sum(s => s.Instance.Count);
        return new ImagingStudyMergeResult(outcome, issues);

        void Require(string? value, DicomMappingIssueCode code, DicomTag tag)
        {
            if (value is null)
            {
                issues.Add(new DicomMappingIssue(code, $"{DicomDictionary.GetKeyword(tag)} {tag} is missing or empty", tag));
            }
        }
    }

    private static void MergeStudyAttributes(ImagingStudy study, DicomDataset dataset, string studyUid, ImagingStudyMappingOptions options, List<DicomMappingIssue> issues)
    {
        if (GetStudyInstanceUid(study) is null)
        {
            study.Identifier.Insert(0, new Identifier(DicomUidSystem, "urn:oid:" + studyUid));
        }

        if (dataset.GetSingleValueOrDefault(DicomTag.AccessionNumber) is { } accession && !study.Identifier.Any(IsAccession))
        {
            study.Identifier.Add(new Identifier
            {
                Type = new CodeableConcept(V20203System, "ACSN"),
                System = AccessionIssuerSystem(dataset),
                Value = accession,
            });
        }

        if (dataset.GetSingleValueOrDefault(DicomTag.StudyID) is { } studyId && !study.Identifier.Any(i => i.Type?.Text == "Study ID"))
        {
            // R4 maps Study ID (0020,0010) to identifier; it is only unique within the issuing equipment, so no system.
            study.Identifier.Add(new Identifier { Type = new CodeableConcept { Text = "Study ID" }, Value = studyId });
        }

        study.StartedElement ??= DateTimeOf(dataset, DicomTag.StudyDate, DicomTag.StudyTime, options, issues);
        if (study.Referrer is null && dataset.GetPersonName(DicomTag.ReferringPhysicianName) is { IsEmpty: false } referrer)
        {
            study.Referrer = new ResourceReference { Display = Display(referrer) };
        }

        study.Description ??= dataset.GetSingleValueOrDefault(DicomTag.StudyDescription);
        if (dataset.GetSingleValueOrDefault(DicomTag.ReasonForTheRequestedProcedure) is { } reason && !study.ReasonCode.Any(r => r.Text == reason))
        {
            study.ReasonCode.Add(new CodeableConcept { Text = reason });
        }

        foreach (var code in dataset.GetStrings(DicomTag.ModalitiesInStudy).Where(c => c.Length > 0))
        {
            if (!study.Modality.Any(m => m.Code == code))
            {
                study.Modality.Add(new Coding(DcmSystem, code));
            }
        }
    }

    private static void MergeSeriesAttributes(ImagingStudy.SeriesComponent series, DicomDataset dataset, ImagingStudyMappingOptions options, List<DicomMappingIssue> issues)
    {
        if (series.Number is null && dataset.TryGetInt(DicomTag.SeriesNumber, out var number) && number >= 0)
        {
            series.Number = number;
        }

        series.Description ??= dataset.GetSingleValueOrDefault(DicomTag.SeriesDescription);
        if (series.BodySite is null && dataset.GetSingleValueOrDefault(DicomTag.BodyPartExamined) is { } bodyPart)
        {
            series.BodySite = DicomBodyParts.ToCoding(bodyPart);
        }

        if (series.Laterality is null
            && (dataset.GetSingleValueOrDefault(DicomTag.Laterality) ?? dataset.GetSingleValueOrDefault(DicomTag.ImageLaterality)) is { } laterality)
        {
            series.Laterality = LateralityCoding(laterality);
        }

        series.StartedElement ??= DateTimeOf(dataset, DicomTag.SeriesDate, DicomTag.SeriesTime, options, issues);
    }

    private static ImagingStudyMergeOutcome MergeInstance(ImagingStudy.SeriesComponent series, DicomDataset dataset, string sopUid, string sopClass)
    {
        var candidate = new ImagingStudy.InstanceComponent
        {
            Uid = sopUid,
            SopClass = new Coding(Rfc3986System, "urn:oid:" + sopClass),
            Number = dataset.TryGetInt(DicomTag.InstanceNumber, out var number) && number >= 0 ? number : null,
            Title = InstanceTitle(dataset),
        };
        var index = series.Instance.FindIndex(i => i.Uid == sopUid);
        if (index < 0)
        {
            series.Instance.Add(candidate);
            return ImagingStudyMergeOutcome.InstanceAdded;
        }

        if (series.Instance[index].IsExactly(candidate))
        {
            return ImagingStudyMergeOutcome.InstanceUnchanged;
        }

        // A corrected instance sent again under the same SOP Instance UID replaces the earlier one.
        series.Instance[index] = candidate;
        return ImagingStudyMergeOutcome.InstanceUpdated;
    }

    /// <summary>R4 mapping for instance.title: (0008,0008) | (0007,0080) | (0040,A043)+(0008,0104) | (0042,0010); the most descriptive present wins.</summary>
    private static string? InstanceTitle(DicomDataset dataset)
    {
        if (dataset.GetSingleValueOrDefault(DicomTag.DocumentTitle) is { } documentTitle)
        {
            return documentTitle;
        }

        if (FirstItem(dataset, DicomTag.ConceptNameCodeSequence)?.GetSingleValueOrDefault(DicomTag.CodeMeaning) is { } meaning)
        {
            return meaning;
        }

        var imageType = dataset.GetStrings(DicomTag.ImageType).Where(v => v.Length > 0).ToArray();
        return imageType.Length > 0 ? string.Join('\\', imageType) : null;
    }

    private static DicomDataset? FirstItem(DicomDataset dataset, DicomTag sequence) =>
        dataset.GetSequence(sequence)?.Items is [var first, ..] ? first : null;

    private static bool IsAccession(Identifier identifier) =>
        identifier.Type?.Coding.Any(c => c.System == V20203System && c.Code == "ACSN") == true;

    /// <summary>Issuer of Accession Number Sequence (0008,0051): an ISO OID issuer becomes the identifier system.</summary>
    private static string? AccessionIssuerSystem(DicomDataset dataset)
    {
        var issuer = FirstItem(dataset, DicomTag.IssuerOfAccessionNumberSequence);
        if (issuer?.GetSingleValueOrDefault(DicomTag.UniversalEntityID) is { } universal && issuer.GetSingleValueOrDefault(DicomTag.UniversalEntityIDType) == "ISO")
        {
            return "urn:oid:" + universal;
        }

        return null;
    }

    /// <summary>SNOMED CT laterality codes of the R4 bodysite-laterality value set.</summary>
    private static Coding LateralityCoding(string laterality) => laterality.Trim().ToUpperInvariant() switch
    {
        "L" => new Coding(DicomBodyParts.SnomedSystem, "419161000", "Unilateral left"),
        "R" => new Coding(DicomBodyParts.SnomedSystem, "419465000", "Unilateral right"),
        "B" => new Coding(DicomBodyParts.SnomedSystem, "51440002", "Right and left"),
        var other => new Coding { Display = other },
    };

    private static string Display(DicomPersonName name)
    {
        var group = name.Alphabetic.IsEmpty ? name.Ideographic.IsEmpty ? name.Phonetic : name.Ideographic : name.Alphabetic;
        return group.ToDisplayString();
    }

    private static FhirDateTime? DateTimeOf(DicomDataset dataset, DicomTag dateTag, DicomTag timeTag, ImagingStudyMappingOptions options, List<DicomMappingIssue> issues)
    {
        var date = dataset.GetSingleValueOrDefault(dateTag)?.Replace(".", string.Empty, StringComparison.Ordinal);
        if (date is null)
        {
            return null;
        }

        var time = dataset.GetSingleValueOrDefault(timeTag) is { } t ? DicomDateTimeText.NormalizeTime(t) : string.Empty;
        var offset = dataset.GetSingleValueOrDefault(DicomTag.TimezoneOffsetFromUTC) ?? string.Empty;
        if (!DicomDateTimeText.TryParse(date + time + offset, out var parsed) && !DicomDateTimeText.TryParse(date, out parsed))
        {
            issues.Add(new DicomMappingIssue(DicomMappingIssueCode.InvalidDate, $"'{date}' is not a DICOM date", dateTag));
            return null;
        }

        return new FhirDateTime(parsed.ToFhirDateTime(options.DefaultTimezoneOffset));
    }
}
