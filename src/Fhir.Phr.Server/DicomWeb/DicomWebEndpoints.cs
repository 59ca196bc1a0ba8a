using System.Globalization;
using System.Text;
using System.Text.Json;
using Fhir.Phr.Core;
using Fhir.Phr.Core.Errors;
using Fhir.Phr.Core.Imaging;
using Fhir.Phr.Core.Search;
using Fhir.Phr.Import.Dicom;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Fhir.Phr.Server.DicomWeb;

/// <summary>
/// DICOMweb (PS3.18) over the FHIR store: STOW-RS stores instances through
/// <see cref="DicomStore"/>, WADO-RS returns the stored originals, QIDO-RS searches studies
/// through the FHIR ImagingStudy search, so access rules are the FHIR ones.
/// </summary>
internal static class DicomWebEndpoints
{
    private const string DicomJson = "application/dicom+json";

    public static IEndpointRouteBuilder MapDicomWeb(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/dicomweb");
        group.MapPost("/studies", Store);
        group.MapPost("/studies/{study}", StoreIntoStudy);
        group.MapGet("/studies", SearchStudies);
        group.MapGet("/studies/{study}", RetrieveStudy);
        group.MapGet("/studies/{study}/series", SearchSeries);
        group.MapGet("/studies/{study}/series/{series}", RetrieveSeries);
        group.MapGet("/studies/{study}/series/{series}/instances", SearchInstances);
        group.MapGet("/studies/{study}/series/{series}/instances/{instance}", RetrieveInstance);
        group.MapGet("/studies/{study}/metadata", StudyMetadata);
        group.MapGet("/studies/{study}/series/{series}/instances/{instance}/metadata", InstanceMetadata);
        return app;
    }

    private static Task<IResult> Store(HttpContext context, DicomStore store, PhrOptions options, CancellationToken cancellationToken) =>
        StoreAsync(context, null, store, options, cancellationToken);

    private static Task<IResult> StoreIntoStudy(HttpContext context, string study, DicomStore store, PhrOptions options, CancellationToken cancellationToken) =>
        StoreAsync(context, study, store, options, cancellationToken);

    // PS3.18 §10.5: multipart/related; type="application/dicom", one instance per part; the
    // response lists every instance as stored (ReferencedSOPSequence) or failed (FailedSOPSequence).
    private static async Task<IResult> StoreAsync(HttpContext context, string? study, DicomStore store, PhrOptions options, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/related", StringComparison.OrdinalIgnoreCase))
        {
            throw FhirProblem.Of(System.Net.HttpStatusCode.UnsupportedMediaType, OperationOutcome.IssueType.NotSupported,
                "STOW-RS takes multipart/related; type=\"application/dicom\" (PS3.18 §10.5).");
        }
        var boundary = HeaderUtilities.RemoveQuotes(contentType.Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
            throw FhirProblem.BadRequest("The multipart/related request has no boundary.");

        var baseUrl = $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}/dicomweb";
        var results = new List<DicomStoreResult>();
        var reader = new MultipartReader(boundary, context.Request.Body) { BodyLengthLimit = options.MaxRequestBytes };
        while (await NextSectionAsync(reader, cancellationToken) is { } section)
        {
            using var buffer = await ReadPartAsync(section, cancellationToken);
            var partType = section.ContentType?.Split(';')[0].Trim();
            if (partType is not null && !partType.Equals("application/dicom", StringComparison.OrdinalIgnoreCase))
            {
                results.Add(new DicomStoreResult(null, null, null, DicomStore.CannotUnderstand, $"Part of type {partType} is not application/dicom."));
                continue;
            }
            results.Add(await store.StoreAsync(buffer.ToArray(), study, baseUrl, cancellationToken));
        }
        if (results.Count == 0)
            throw FhirProblem.BadRequest("The request holds no DICOM instance.");

        var response = new Dictionary<string, object>();
        var stored = results.Where(r => r.Stored).ToList();
        var failed = results.Where(r => !r.Stored).ToList();
        if (stored.Count > 0)
        {
            response["00081199"] = Sequence(stored.Select(r => new Dictionary<string, object>
            {
                ["00081150"] = Value("UI", r.SopClassUid),
                ["00081155"] = Value("UI", r.SopInstanceUid),
                ["00081190"] = Value("UR", $"{baseUrl}/studies/{r.StudyInstanceUid}"),
            }));
        }
        if (failed.Count > 0)
        {
            response["00081198"] = Sequence(failed.Select(r => new Dictionary<string, object>
            {
                ["00081150"] = Value("UI", r.SopClassUid),
                ["00081155"] = Value("UI", r.SopInstanceUid),
                ["00081197"] = Value("US", r.FailureReason),
                // Warning/error comment (0000,0902): why, in words.
                ["00000902"] = Value("LO", r.Message),
            }));
        }
        // §10.5.3.1: 200 all stored, 202 some failed, 409 none stored.
        var status = failed.Count == 0 ? StatusCodes.Status200OK : stored.Count > 0 ? StatusCodes.Status202Accepted : StatusCodes.Status409Conflict;
        return Results.Text(JsonSerializer.Serialize(response), DicomJson, Encoding.UTF8, status);
    }

    // Malformed framing, a truncated body or a part over the size limit: the client's error, said plainly.
    private static async Task<MultipartSection?> NextSectionAsync(MultipartReader reader, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadNextSectionAsync(cancellationToken);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw FhirProblem.BadRequest($"The multipart/related body cannot be read: {e.Message}");
        }
    }

    private static async Task<MemoryStream> ReadPartAsync(MultipartSection section, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        try
        {
            await section.Body.CopyToAsync(buffer, cancellationToken);
            return buffer;
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            await buffer.DisposeAsync();
            throw FhirProblem.BadRequest($"The multipart/related body cannot be read: {e.Message}");
        }
    }

    private static async Task<IResult> RetrieveInstance(string study, string series, string instance, DicomStore store, CancellationToken cancellationToken)
    {
        var bytes = await store.RetrieveAsync(study, instance, cancellationToken);
        _ = series;
        return Multipart([bytes]);
    }

    private static async Task<IResult> RetrieveStudy(string study, DicomStore store, CancellationToken cancellationToken) =>
        Multipart(await StudyFilesAsync(study, store, cancellationToken));

    private static async Task<IResult> RetrieveSeries(string study, string series, DicomStore store, CancellationToken cancellationToken) =>
        Multipart(await StudyFilesAsync(study, store, cancellationToken, series));

    private static async Task<List<byte[]>> StudyFilesAsync(string study, DicomStore store, CancellationToken cancellationToken, string? series = null)
    {
        var imaging = await store.StudyAsync(study, cancellationToken);
        var selected = imaging.Series.Where(s => series is null || s.Uid == series).ToList();
        if (series is not null && selected.Count == 0)
            throw FhirProblem.NotFound($"Study {study} has no series {series}.");
        var files = new List<byte[]>();
        foreach (var uid in selected.SelectMany(s => s.Instance).Select(i => i.Uid).OfType<string>())
            files.Add(await store.RetrieveAsync(study, uid, cancellationToken));
        return files;
    }

    // QIDO-RS series of a study (PS3.18 §10.6, Table 10.6.3-4 attributes), from its ImagingStudy.
    private static async Task<IResult> SearchSeries(HttpContext context, string study, DicomStore store, CancellationToken cancellationToken)
    {
        var imaging = await store.StudyAsync(study, cancellationToken);
        var modality = context.Request.Query["Modality"].FirstOrDefault();
        var baseUrl = $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}/dicomweb";
        var result = imaging.Series
            .Where(s => string.IsNullOrEmpty(modality) || s.Modality?.Code == modality)
            .Select(s => new Dictionary<string, object>
            {
                ["00080060"] = Value("CS", s.Modality?.Code),
                ["0008103E"] = Value("LO", s.Description),
                ["00081190"] = Value("UR", $"{baseUrl}/studies/{study}/series/{s.Uid}"),
                ["0020000D"] = Value("UI", study),
                ["0020000E"] = Value("UI", s.Uid),
                ["00200011"] = Value("IS", s.Number),
                ["00201209"] = Value("IS", s.NumberOfInstances ?? s.Instance.Count),
            })
            .ToList();
        return result.Count == 0 ? Results.NoContent() : Results.Text(JsonSerializer.Serialize(result), DicomJson, Encoding.UTF8);
    }

    // QIDO-RS instances of a series (Table 10.6.3-5 attributes).
    private static async Task<IResult> SearchInstances(HttpContext context, string study, string series, DicomStore store, CancellationToken cancellationToken)
    {
        var imaging = await store.StudyAsync(study, cancellationToken);
        var found = imaging.Series.FirstOrDefault(s => s.Uid == series) ?? throw FhirProblem.NotFound($"Study {study} has no series {series}.");
        var baseUrl = $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}/dicomweb";
        var result = found.Instance.Select(i => new Dictionary<string, object>
        {
            ["00080016"] = Value("UI", i.SopClass?.Code?.Replace("urn:oid:", "", StringComparison.Ordinal)),
            ["00080018"] = Value("UI", i.Uid),
            ["00081190"] = Value("UR", $"{baseUrl}/studies/{study}/series/{series}/instances/{i.Uid}"),
            ["0020000D"] = Value("UI", study),
            ["0020000E"] = Value("UI", series),
            ["00200013"] = Value("IS", i.Number),
        }).ToList();
        return result.Count == 0 ? Results.NoContent() : Results.Text(JsonSerializer.Serialize(result), DicomJson, Encoding.UTF8);
    }

    private static async Task<IResult> InstanceMetadata(string study, string series, string instance, DicomStore store, CancellationToken cancellationToken)
    {
        _ = series;
        return Metadata([await store.RetrieveAsync(study, instance, cancellationToken)]);
    }

    private static async Task<IResult> StudyMetadata(string study, DicomStore store, CancellationToken cancellationToken) =>
        Metadata(await StudyFilesAsync(study, store, cancellationToken));

    // WADO-RS metadata (PS3.18 §10.4.1.1.2): the instances' attributes as DICOM JSON, pixel data left out.
    private static IResult Metadata(IReadOnlyList<byte[]> files)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var file in files)
            {
                using var stream = new MemoryStream(file, writable: false);
                DicomJsonWriter.Write(writer, DicomFile.Open(stream, DicomReadOptions.Default with { StopBeforePixelData = true }).Dataset);
            }
            writer.WriteEndArray();
        }
        return Results.Bytes(buffer.ToArray(), DicomJson);
    }

    // WADO-RS answers multipart/related; type="application/dicom" (PS3.18 §10.4.1.1).
    private static IResult Multipart(IReadOnlyList<byte[]> files)
    {
        var boundary = "phr-" + Guid.NewGuid().ToString("N");
        using var body = new MemoryStream();
        foreach (var file in files)
        {
            body.Write(Encoding.ASCII.GetBytes($"--{boundary}\r\nContent-Type: application/dicom\r\n\r\n"));
            body.Write(file);
            body.Write("\r\n"u8);
        }
        body.Write(Encoding.ASCII.GetBytes($"--{boundary}--\r\n"));
        return Results.Bytes(body.ToArray(), $"multipart/related; type=\"application/dicom\"; boundary={boundary}");
    }

    // QIDO-RS study search (PS3.18 §10.6) mapped onto FHIR search parameters of ImagingStudy.
    private static async Task<IResult> SearchStudies(HttpContext context, SearchQueryParser parser, SearchService search, CancellationToken cancellationToken)
    {
        var q = context.Request.Query;
        var parameters = new List<KeyValuePair<string, string>>();
        if (q["StudyInstanceUID"].FirstOrDefault() is { Length: > 0 } uid)
            parameters.Add(new("identifier", $"{ImagingStudyMapper.DicomUidSystem}|urn:oid:{uid}"));
        if (q["AccessionNumber"].FirstOrDefault() is { Length: > 0 } accession)
            parameters.Add(new("identifier", accession));
        if (q["PatientID"].FirstOrDefault() is { Length: > 0 } patientId)
            parameters.Add(new("patient.identifier", patientId));
        if (q["ModalitiesInStudy"].FirstOrDefault() is { Length: > 0 } modality)
            parameters.Add(new("modality", $"{ImagingStudyMapper.DcmSystem}|{modality}"));
        if (q["StudyDate"].FirstOrDefault() is { Length: > 0 } studyDate)
            parameters.AddRange(DateRange(studyDate));
        var limit = int.TryParse(q["limit"].FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? Math.Clamp(l, 1, SearchQueryParser.MaxCount) : 100;
        var offset = int.TryParse(q["offset"].FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var o) ? o : 0;

        var query = parser.Parse("ImagingStudy", parameters, SearchHandling.Strict);
        query.Count = limit;
        query.Offset = offset;
        query.Total = TotalMode.None;
        query.Includes.Add(new IncludeSpec("ImagingStudy", "subject", "Patient", false, false));
        var result = await search.SearchAsync(query, cancellationToken);
        var patients = result.Included.Where(i => i.ResourceType == "Patient").ToDictionary(p => p.Id, p => (Patient)p.ToPoco());
        var baseUrl = $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}/dicomweb";
        var studies = new List<Dictionary<string, object>>();
        foreach (var match in result.Matches)
        {
            var study = (ImagingStudy)match.ToPoco();
            var studyUid = ImagingStudyMapper.GetStudyInstanceUid(study);
            patients.TryGetValue(study.Subject?.Reference?.Split('/').Last() ?? "", out var patient);
            studies.Add(new Dictionary<string, object>
            {
                ["00080020"] = Value("DA", StudyDate(study.Started)),
                ["00080050"] = Value("SH", study.Identifier.FirstOrDefault(i => i.Type?.Coding.Any(c => c.Code == "ACSN") == true)?.Value),
                ["00080061"] = Values("CS", study.Series.Select(s => s.Modality?.Code).Where(m => m is not null).Distinct()),
                ["00081190"] = Value("UR", $"{baseUrl}/studies/{studyUid}"),
                ["00100010"] = PersonName(patient),
                ["00100020"] = Value("LO", patient?.Identifier.FirstOrDefault()?.Value),
                ["0020000D"] = Value("UI", studyUid),
                ["00201206"] = Value("IS", study.NumberOfSeries ?? study.Series.Count),
                ["00201208"] = Value("IS", study.NumberOfInstances ?? study.Series.Sum(s => s.Instance.Count)),
            });
        }
        if (studies.Count == 0)
            return Results.NoContent();
        return Results.Text(JsonSerializer.Serialize(studies), DicomJson, Encoding.UTF8);
    }

    // StudyDate matching (PS3.4 C.2.2.2.5): a date or a range "from-to" with either end open.
    private static IEnumerable<KeyValuePair<string, string>> DateRange(string value)
    {
        static string Iso(string d) => d.Length == 8 ? $"{d[..4]}-{d[4..6]}-{d[6..]}" : throw FhirProblem.BadRequest($"StudyDate '{d}' is not YYYYMMDD.");
        var dash = value.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            yield return new("started", Iso(value));
            yield break;
        }
        if (dash > 0)
            yield return new("started", "ge" + Iso(value[..dash]));
        if (dash < value.Length - 1)
            yield return new("started", "le" + Iso(value[(dash + 1)..]));
    }

    private static string? StudyDate(string? started) =>
        started is { Length: >= 10 } ? started[..10].Replace("-", "", StringComparison.Ordinal) : null;

    private static Dictionary<string, object> Value(string vr, object? value) =>
        value is null ? new() { ["vr"] = vr } : new() { ["vr"] = vr, ["Value"] = new[] { value } };

    private static Dictionary<string, object> Values(string vr, IEnumerable<string?> values) =>
        new() { ["vr"] = vr, ["Value"] = values.ToArray() };

    private static Dictionary<string, object> Sequence(IEnumerable<Dictionary<string, object>> items) =>
        new() { ["vr"] = "SQ", ["Value"] = items.ToArray() };

    // DICOM JSON person names (PS3.18 F.2.2): Alphabetic "Family^Given".
    private static Dictionary<string, object> PersonName(Patient? patient)
    {
        var name = patient?.Name.FirstOrDefault();
        if (name is null)
            return new() { ["vr"] = "PN" };
        var alphabetic = string.Join('^', new[] { name.Family, string.Join(' ', name.Given) }.Where(p => !string.IsNullOrEmpty(p)));
        return new() { ["vr"] = "PN", ["Value"] = new[] { new Dictionary<string, string> { ["Alphabetic"] = alphabetic } } };
    }
}
