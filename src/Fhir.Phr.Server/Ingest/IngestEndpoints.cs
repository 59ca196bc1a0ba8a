using Fhir.Phr.Core;
using Fhir.Phr.Core.Errors;
using Fhir.Phr.Core.Ingest;
using Fhir.Phr.Core.Serialization;
using Fhir.Phr.Server.Fhir;
using Hangfire;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Fhir.Phr.Server.Ingest;

/// <summary>
/// `POST [base]/$ingest` and its status, in the asynchronous request pattern Bulk Data uses
/// (202 Accepted + Content-Location; the status answers 202 while running and 200 when done).
/// </summary>
internal static class IngestEndpoints
{
    private const string FormData = "multipart/form-data";

    /// <summary>Parts of one multipart upload; each becomes a Binary and its items are stored one by one.</summary>
    private const int MaxParts = 1000;

    public static IEndpointRouteBuilder MapIngest(this IEndpointRouteBuilder app)
    {
        app.MapPost("/$ingest", Accept);
        app.MapGet("/$ingest-status/{id:guid}", Status);
        return app;
    }

    private static async Task<IResult> Accept(HttpContext context, PhrOptions options, IngestService ingest, IBackgroundJobClient jobs, CancellationToken cancellationToken)
    {
        var uploads = MultipartBody.Boundary(context.Request, FormData) is { } boundary
            ? await ReadPartsAsync(context.Request, boundary, options, cancellationToken)
            : [new IngestUpload(await FhirHttp.ReadBodyAsync(context.Request, options, cancellationToken), context.Request.ContentType)];
        var job = await ingest.AcceptAsync(uploads, context.Request.Query["source"].FirstOrDefault(), cancellationToken);
        // Only the job id travels through the queue: the files wait encrypted in the store.
        jobs.Enqueue<IngestService>(service => service.RunAsync(job.Id, CancellationToken.None));
        context.Response.Headers.ContentLocation = $"{FhirHttp.BaseUrl(context.Request)}/$ingest-status/{job.Id}";
        return Results.StatusCode(StatusCodes.Status202Accepted);
    }

    // multipart/form-data (RFC 7578): every part is a file, named by its Content-Disposition filename; a part without a
    // Content-Type (or with application/octet-stream) is sniffed. The whole body counts against Phr:MaxRequestBytes.
    private static async Task<List<IngestUpload>> ReadPartsAsync(HttpRequest request, string boundary, PhrOptions options, CancellationToken cancellationToken)
    {
        if (request.ContentLength > options.MaxRequestBytes)
            throw FhirHttp.TooLarge(options);
        var reader = new MultipartReader(boundary, request.Body) { BodyLengthLimit = options.MaxRequestBytes };
        var uploads = new List<IngestUpload>();
        long total = 0;
        while (await MultipartBody.NextSectionAsync(reader, "$ingest multipart/form-data", cancellationToken) is { } section)
        {
            if (uploads.Count == MaxParts)
                throw FhirProblem.BadRequest($"A $ingest request holds at most {MaxParts} files.");
            using var buffer = await MultipartBody.ReadPartAsync(section, "$ingest multipart/form-data", cancellationToken);
            total += buffer.Length;
            if (total > options.MaxRequestBytes)
                throw FhirHttp.TooLarge(options);
            var fileName = ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                ? HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value
                : null;
            uploads.Add(new IngestUpload(buffer.ToArray(), section.ContentType, string.IsNullOrWhiteSpace(fileName) ? null : Path.GetFileName(fileName)));
        }
        return uploads.Count > 0 ? uploads : throw FhirProblem.BadRequest("The multipart/form-data request holds no file.");
    }

    private static async Task<IResult> Status(HttpContext context, Guid id, IngestService ingest, CancellationToken cancellationToken)
    {
        var job = await ingest.FindAsync(id, cancellationToken) ?? throw FhirProblem.NotFound($"No $ingest job {id}.");
        if (job.Status is IngestStatus.Queued or IngestStatus.Running)
        {
            context.Response.Headers["X-Progress"] = job.ItemsTotal > 0 ? $"{job.ItemsDone} of {job.ItemsTotal} items" : job.Status.ToString().ToLowerInvariant();
            context.Response.Headers.RetryAfter = "1";
            return Results.StatusCode(StatusCodes.Status202Accepted);
        }
        var outcome = ingest.Result(job) ?? new OperationOutcome();
        return FhirHttp.Write(context, outcome, job.Status == IngestStatus.Completed ? StatusCodes.Status200OK : StatusCodes.Status422UnprocessableEntity);
    }
}
