using System.Net;
using System.Security.Cryptography;
using System.Text;
using Fhir.Phr.Core.Bundles;
using Fhir.Phr.Core.Errors;
using Fhir.Phr.Core.Resources;
using Fhir.Phr.Core.Search;
using Fhir.Phr.Import.Dicom;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Core.Imaging;

/// <summary>What became of one instance sent to STOW-RS (PS3.18 §10.5.3).</summary>
public sealed record DicomStoreResult(string? SopClassUid, string? SopInstanceUid, string? StudyInstanceUid, ushort? FailureReason, string? Message)
{
    public bool Stored => FailureReason is null;
}

/// <summary>
/// Stores DICOM instances as FHIR: the original file as an encrypted Binary (nothing the
/// sender gave is lost), its study as an ImagingStudy updated instance by instance through the
/// DICOM mapping, and its patient found by identifier or created. All three are written in one
/// FHIR transaction, so a failed instance leaves nothing behind; a re-sent instance changes
/// nothing (ids are derived from the UIDs).
/// </summary>
public sealed class DicomStore(BundleProcessor bundles, ResourceService resources, ConditionalResolver conditional)
{
    /// <summary>Identifier system for PatientIDs whose issuer is not a URI or OID.</summary>
    public const string LocalPatientIdSystem = "urn:fhir-phr:dicom:patient-id";

    private const int MaxAttempts = 5;

    // PS3.18 Table 10.5.3-2 / PS3.4 Annex GG failure reasons.
    public const ushort ProcessingFailure = 0x0110;
    public const ushort CannotUnderstand = 0xC000;
    public const ushort StudyMismatch = 0xA900;

    public static string BinaryId(string sopInstanceUid) => "dicom-" + Hash(sopInstanceUid);

    public static string StudyId(string studyInstanceUid) => "dicom-" + Hash(studyInstanceUid);

    private static string Hash(string uid) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(uid)))[..40];

    public async Task<DicomStoreResult> StoreAsync(byte[] file, string? requiredStudyUid, string wadoBaseUrl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        using var stream = new MemoryStream(file, writable: false);
        if (!DicomFile.TryOpen(stream, DicomReadOptions.Default with { StopBeforePixelData = true }, out var dicom, out var error))
            return new DicomStoreResult(null, null, null, CannotUnderstand, $"Not a readable DICOM file: {error.Message}");

        var dataset = dicom.Dataset;
        var sopClass = dataset.GetSingleValueOrDefault(DicomTag.SOPClassUID);
        var sopInstance = dataset.GetSingleValueOrDefault(DicomTag.SOPInstanceUID);
        var studyUid = dataset.GetSingleValueOrDefault(DicomTag.StudyInstanceUID);
        DicomStoreResult Fail(ushort reason, string message) => new(sopClass, sopInstance, studyUid, reason, message);

        if (sopInstance is null || studyUid is null)
            return Fail(CannotUnderstand, "The instance lacks SOPInstanceUID (0008,0018) or StudyInstanceUID (0020,000D).");
        if (requiredStudyUid is not null && requiredStudyUid != studyUid)
            return Fail(StudyMismatch, $"The instance belongs to study {studyUid}, not {requiredStudyUid} named in the URL.");
        if (!DicomPatientMapper.TryBuild(dataset, LocalPatientIdSystem, out var patient, out var patientIssues))
            return Fail(CannotUnderstand, string.Join("; ", patientIssues.Select(i => i.Message)));
        if (patient.Name.Count == 0)
            return Fail(CannotUnderstand, "PatientName (0010,0010) is empty; a PHR patient needs a name.");

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryStoreAsync(file, dataset, patient, studyUid, sopClass, sopInstance, wadoBaseUrl, cancellationToken)
                    ?? Fail(CannotUnderstand, "The instance cannot be mapped to an ImagingStudy.");
            }
            catch (FhirProblem problem) when (problem.Status is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict && attempt < MaxAttempts)
            {
                // Another instance of the same study was stored meanwhile: merge again onto that.
            }
            catch (FhirProblem problem)
            {
                return Fail(ProcessingFailure, problem.Outcome.Issue.FirstOrDefault()?.Diagnostics ?? problem.Message);
            }
        }
    }

    private async Task<DicomStoreResult?> TryStoreAsync(byte[] file, DicomDataset dataset, Patient patient, string studyUid, string? sopClass, string sopInstance, string wadoBaseUrl, CancellationToken cancellationToken)
    {
        var studyId = StudyId(studyUid);
        var current = await resources.FindCurrentAsync("ImagingStudy", studyId, cancellationToken);
        var patientIdentifier = patient.Identifier[0];
        var patientCriteria = $"identifier={SearchQueryParser.EscapeValue(patientIdentifier.System)}|{SearchQueryParser.EscapeValue(patientIdentifier.Value)}";
        var patientMatches = await conditional.FindAsync("Patient", patientCriteria, cancellationToken);
        var existingPatient = patientMatches.Count > 0 ? patientMatches[0] : null;
        var patientUrl = existingPatient is not null ? $"Patient/{existingPatient.Id}" : "urn:uuid:" + Guid.NewGuid();

        ImagingStudy study;
        if (current is { IsDeleted: false })
            study = (ImagingStudy)resources.Open(current).ToPoco();
        else
        {
            study = ImagingStudyMapper.Create(new ResourceReference(patientUrl));
            study.Contained.Add(new Endpoint
            {
                Id = "wado",
                Status = Endpoint.EndpointStatus.Active,
                ConnectionType = new Coding("http://terminology.hl7.org/CodeSystem/endpoint-connection-type", "dicom-wado-rs"),
                PayloadType = [new CodeableConcept("http://terminology.hl7.org/CodeSystem/endpoint-payload-type", "DICOM WADO-RS")],
                PayloadMimeType = ["application/dicom"],
                Address = wadoBaseUrl,
            });
            study.Endpoint.Add(new ResourceReference("#wado"));
        }
        var merge = ImagingStudyMapper.Merge(study, dataset);
        if (merge.Outcome == ImagingStudyMergeOutcome.Rejected)
            return new DicomStoreResult(sopClass, sopInstance, studyUid, CannotUnderstand, string.Join("; ", merge.Issues.Select(i => i.Message)));

        var binaryId = BinaryId(sopInstance);
        var storedBinary = await resources.FindCurrentAsync("Binary", binaryId, cancellationToken);
        if (merge.Outcome == ImagingStudyMergeOutcome.InstanceUnchanged && storedBinary is { IsDeleted: false })
            return new DicomStoreResult(sopClass, sopInstance, studyUid, null, "Already stored.");

        study.Id = studyId;
        var transaction = new Bundle { Type = Bundle.BundleType.Transaction };
        if (existingPatient is null)
        {
            transaction.Entry.Add(new Bundle.EntryComponent
            {
                FullUrl = patientUrl,
                Resource = patient,
                Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "Patient", IfNoneExist = patientCriteria },
            });
        }
        transaction.Entry.Add(new Bundle.EntryComponent
        {
            Resource = new Binary { Id = binaryId, ContentType = "application/dicom", Data = file, SecurityContext = new ResourceReference($"ImagingStudy/{studyId}") },
            Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.PUT, Url = $"Binary/{binaryId}" },
        });
        transaction.Entry.Add(new Bundle.EntryComponent
        {
            Resource = study,
            Request = new Bundle.RequestComponent
            {
                Method = Bundle.HTTPVerb.PUT,
                Url = $"ImagingStudy/{studyId}",
                // A concurrent store of the same study makes this fail with 412; the caller merges again.
                IfMatch = current is { IsDeleted: false } ? $"W/\"{current.Version}\"" : null,
            },
        });
        await bundles.ProcessAsync(transaction, ReturnPreference.Minimal, cancellationToken);
        return new DicomStoreResult(sopClass, sopInstance, studyUid, null, null);
    }


    /// <summary>The stored DICOM file of an instance, after checking it belongs to the study.</summary>
    public async Task<byte[]> RetrieveAsync(string studyUid, string sopInstanceUid, CancellationToken cancellationToken)
    {
        var binary = (Binary)(await resources.ReadAsync("Binary", BinaryId(sopInstanceUid), cancellationToken)).ToPoco();
        if (binary.SecurityContext?.Reference != $"ImagingStudy/{StudyId(studyUid)}")
            throw FhirProblem.NotFound($"Study {studyUid} has no instance {sopInstanceUid}.");
        return binary.Data ?? [];
    }

    /// <summary>The ImagingStudy stored for a StudyInstanceUID.</summary>
    public async Task<ImagingStudy> StudyAsync(string studyUid, CancellationToken cancellationToken) =>
        (ImagingStudy)(await resources.ReadAsync("ImagingStudy", StudyId(studyUid), cancellationToken)).ToPoco();
}
