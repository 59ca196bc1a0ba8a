namespace Fhir.Phr.Import.Dicom;

public enum DicomMappingIssueCode
{
    MissingStudyInstanceUid = 1,
    StudyInstanceUidMismatch,
    MissingSeriesInstanceUid,
    MissingSopInstanceUid,
    MissingSopClassUid,
    MissingModality,
    MissingPatientId,
    InvalidPatientSex,
    InvalidDate,
}

/// <summary>Why a data set could not be mapped, or what was left out; expected outcomes are values, not exceptions.</summary>
public sealed record DicomMappingIssue(DicomMappingIssueCode Code, string Message, DicomTag? Tag = null);
