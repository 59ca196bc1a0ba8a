using System.Globalization;
using System.Text;
using System.Text.Json;
using Fhir.Phr.Core;
using Fhir.Phr.Core.Errors;
using Fhir.Phr.Core.Imaging;
using Fhir.Phr.Core.Search;
using Fhir.Phr.Import.Dicom;
using Fhir.Phr.Server.Fhir;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Http.Features;
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
    private const string Stow = "STOW-RS";

    public static IEndpointRouteBuilder MapDicomWeb(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/dicomweb");
        group.MapPost("/studies", Store);
        group.MapPost("/studies/{study}", StoreIntoStudy);
        group.MapGet("/studies/{study}", RetrieveStudy);
        group.MapGet("/studies/{study}/series/{series}", RetrieveSeries);
        group.MapGet("/studies/{study}/series/{series}/instances/{instance}", RetrieveInstance);
        group.MapGet("/studies/{study}/metadata", StudyMetadata);
        group.MapGet("/studies/{study}/series/{series}/instances/{instance}/metadata", InstanceMetadata);
        QidoRs.Map(group);
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
        var boundary = MultipartBody.Boundary(context.Request, "multipart/related")
            ?? throw FhirProblem.Of(System.Net.HttpStatusCode.UnsupportedMediaType, OperationOutcome.IssueType.NotSupported,
                "STOW-RS takes multipart/related; type=\"application/dicom\" (PS3.18 §10.5).");

        var baseUrl = $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}/dicomweb";
        // Parts are read first (a part is a file, or the reason it is refused), then stored study by study.
        var parts = new List<(byte[]? File, DicomStoreResult? Refused)>();
        // A study is larger than a FHIR body: this endpoint has its own limit (Kestrel allows raising it per request).
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = options.MaxDicomRequestBytes;
        var reader = new MultipartReader(boundary, context.Request.Body) { BodyLengthLimit = options.MaxDicomRequestBytes };
        while (await MultipartBody.NextSectionAsync(reader, Stow, cancellationToken) is { } section)
        {
            using var buffer = await MultipartBody.ReadPartAsync(section, Stow, cancellationToken);
            var partType = section.ContentType?.Split(';')[0].Trim();
            parts.Add(partType is not null && !partType.Equals("application/dicom", StringComparison.OrdinalIgnoreCase)
                ? (null, new DicomStoreResult(null, null, null, DicomStore.CannotUnderstand, $"Part of type {partType} is not application/dicom."))
                : (buffer.ToArray(), null));
        }
        var outcomes = await store.StoreAllAsync(parts.Where(p => p.File is not null).Select(p => p.File!).ToList(), study, baseUrl, cancellationToken);
        var next = 0;
        var results = parts.Select(p => p.Refused ?? outcomes[next++]).ToList();
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

    private static async Task<IResult> RetrieveInstance(string study, string series, string instance, DicomStore store, CancellationToken cancellationToken) =>
        Multipart([await InstanceFileAsync(study, series, instance, store, cancellationToken)]);

    // The instance must be in that series of that study (PS3.18 §10.4: the URL names all three).
    private static async Task<byte[]> InstanceFileAsync(string study, string series, string instance, DicomStore store, CancellationToken cancellationToken)
    {
        var imaging = await store.StudyAsync(study, cancellationToken);
        if (!imaging.Series.Any(s => s.Uid == series && s.Instance.Any(i => i.Uid == instance)))
            throw FhirProblem.NotFound($"Series {series} of study {study} has no instance {instance}.");
        return await store.RetrieveAsync(study, instance, cancellationToken);
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

    private static async Task<IResult> InstanceMetadata(string study, string series, string instance, DicomStore store, CancellationToken cancellationToken) =>
        Metadata([await InstanceFileAsync(study, series, instance, store, cancellationToken)]);

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

    private static Dictionary<string, object> Value(string vr, object? value) => QidoRs.Value(vr, value);

    private static Dictionary<string, object> Sequence(IEnumerable<Dictionary<string, object>> items) =>
        new() { ["vr"] = "SQ", ["Value"] = items.ToArray() };
}
