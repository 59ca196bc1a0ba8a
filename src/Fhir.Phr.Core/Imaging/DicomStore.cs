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
/// sender gave is lost), its study as an ImagingStudy merged with the instances through the
/// DICOM mapping, and its patient found by identifier or created. They are written in one FHIR
/// transaction per study, so a failed store leaves nothing behind; a re-sent instance changes
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

    /// <summary>
    /// Stores the instances of one STOW-RS request, one result per file in the same order.
    /// Instances of the same study are written together — their Binaries and the study merged
    /// once — in one transaction; if that fails for a reason other than a concurrent writer,
    /// they are stored one by one, so one bad instance does not sink the others.
    /// </summary>
    public async Task<IReadOnlyList<DicomStoreResult>> StoreAllAsync(IReadOnlyList<byte[]> files, string? requiredStudyUid, string wadoBaseUrl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(files);
        var results = new DicomStoreResult[files.Count];
        var parsed = new List<(int Index, Instance Instance)>();
        for (var i = 0; i < files.Count; i++)
        {
            var (instance, failure) = Parse(files[i], requiredStudyUid);
            if (instance is null)
                results[i] = failure!;
            else
                parsed.Add((i, instance));
        }
        foreach (var study in parsed.GroupBy(p => p.Instance.StudyUid))
        {
            var group = study.ToList();
            var (stored, failure) = await StoreStudyAsync(group.Select(g => g.Instance).ToList(), wadoBaseUrl, cancellationToken);
            if (stored is null && group.Count > 1)
            {
                foreach (var (index, instance) in group)
                {
                    var (alone, why) = await StoreStudyAsync([instance], wadoBaseUrl, cancellationToken);
                    results[index] = alone?[0] ?? instance.Fail(ProcessingFailure, why!);
                }
                continue;
            }
            for (var i = 0; i < group.Count; i++)
                results[group[i].Index] = stored?[i] ?? group[i].Instance.Fail(ProcessingFailure, failure!);
        }
        return results;
    }

    private sealed record Instance(byte[] File, DicomDataset Dataset, Patient Patient, string StudyUid, string? SopClass, string SopInstance)
    {
        public DicomStoreResult Fail(ushort reason, string message) => new(SopClass, SopInstance, StudyUid, reason, message);

        public DicomStoreResult Stored(string? message = null) => new(SopClass, SopInstance, StudyUid, null, message);
    }

    private static (Instance? Instance, DicomStoreResult? Failure) Parse(byte[] file, string? requiredStudyUid)
    {
        ArgumentNullException.ThrowIfNull(file);
        using var stream = new MemoryStream(file, writable: false);
        if (!DicomFile.TryOpen(stream, DicomReadOptions.Default with { StopBeforePixelData = true }, out var dicom, out var error))
            return (null, new DicomStoreResult(null, null, null, CannotUnderstand, $"Not a readable DICOM file: {error.Message}"));

        var dataset = dicom.Dataset;
        var sopClass = dataset.GetSingleValueOrDefault(DicomTag.SOPClassUID);
        var sopInstance = dataset.GetSingleValueOrDefault(DicomTag.SOPInstanceUID);
        var studyUid = dataset.GetSingleValueOrDefault(DicomTag.StudyInstanceUID);
        DicomStoreResult Fail(ushort reason, string message) => new(sopClass, sopInstance, studyUid, reason, message);

        if (sopInstance is null || studyUid is null)
            return (null, Fail(CannotUnderstand, "The instance lacks SOPInstanceUID (0008,0018) or StudyInstanceUID (0020,000D)."));
        if (requiredStudyUid is not null && requiredStudyUid != studyUid)
            return (null, Fail(StudyMismatch, $"The instance belongs to study {studyUid}, not {requiredStudyUid} named in the URL."));
        if (!DicomPatientMapper.TryBuild(dataset, LocalPatientIdSystem, out var patient, out var patientIssues))
            return (null, Fail(CannotUnderstand, string.Join("; ", patientIssues.Select(i => i.Message))));
        if (patient.Name.Count == 0)
            return (null, Fail(CannotUnderstand, "PatientName (0010,0010) is empty; a PHR patient needs a name."));
        return (new Instance(file, dataset, patient, studyUid, sopClass, sopInstance), null);
    }

    // The results, or null and the reason when the transaction failed for good.
    private async Task<(DicomStoreResult[]? Results, string? Failure)> StoreStudyAsync(IReadOnlyList<Instance> instances, string wadoBaseUrl, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return (await TryStoreStudyAsync(instances, wadoBaseUrl, cancellationToken), null);
            }
            catch (FhirProblem problem) when (problem.Status is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict && attempt < MaxAttempts)
            {
                // Another instance of the same study was stored meanwhile: merge again onto that.
            }
            catch (FhirProblem problem)
            {
                return (null, problem.Outcome.Issue.FirstOrDefault()?.Diagnostics ?? problem.Message);
            }
        }
    }

    private async Task<DicomStoreResult[]> TryStoreStudyAsync(IReadOnlyList<Instance> instances, string wadoBaseUrl, CancellationToken cancellationToken)
    {
        var first = instances[0];
        var studyId = StudyId(first.StudyUid);
        var current = await resources.FindCurrentAsync("ImagingStudy", studyId, cancellationToken);
        var patientIdentifier = first.Patient.Identifier[0];
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

        var results = new DicomStoreResult[instances.Count];
        var transaction = new Bundle { Type = Bundle.BundleType.Transaction };
        var studyChanged = false;
        for (var i = 0; i < instances.Count; i++)
        {
            var instance = instances[i];
            var merge = ImagingStudyMapper.Merge(study, instance.Dataset);
            if (merge.Outcome == ImagingStudyMergeOutcome.Rejected)
            {
                results[i] = instance.Fail(CannotUnderstand, string.Join("; ", merge.Issues.Select(x => x.Message)));
                continue;
            }
            var binaryId = BinaryId(instance.SopInstance);
            var storedBinary = await resources.FindCurrentAsync("Binary", binaryId, cancellationToken);
            if (merge.Outcome == ImagingStudyMergeOutcome.InstanceUnchanged && storedBinary is { IsDeleted: false })
            {
                results[i] = instance.Stored("Already stored.");
                continue;
            }
            studyChanged |= merge.Outcome != ImagingStudyMergeOutcome.InstanceUnchanged;
            transaction.Entry.Add(new Bundle.EntryComponent
            {
                Resource = new Binary { Id = binaryId, ContentType = "application/dicom", Data = instance.File, SecurityContext = new ResourceReference($"ImagingStudy/{studyId}") },
                Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.PUT, Url = $"Binary/{binaryId}" },
            });
            results[i] = instance.Stored();
        }
        if (transaction.Entry.Count == 0)
            return results;

        study.Id = studyId;
        if (existingPatient is null && current is not { IsDeleted: false })
        {
            transaction.Entry.Insert(0, new Bundle.EntryComponent
            {
                FullUrl = patientUrl,
                Resource = first.Patient,
                Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "Patient", IfNoneExist = patientCriteria },
            });
        }
        if (studyChanged || current is not { IsDeleted: false })
        {
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
        }
        await bundles.ProcessAsync(transaction, ReturnPreference.Minimal, cancellationToken);
        return results;
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
