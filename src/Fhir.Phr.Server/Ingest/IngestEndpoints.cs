using Fhir.Phr.Core;
using Fhir.Phr.Core.Errors;
using Fhir.Phr.Core.Ingest;
using Fhir.Phr.Core.Serialization;
using Fhir.Phr.Server.Fhir;
using Hangfire;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Server.Ingest;

/// <summary>
/// `POST [base]/$ingest` and its status, in the asynchronous request pattern Bulk Data uses
/// (202 Accepted + Content-Location; the status answers 202 while running and 200 when done).
/// </summary>
internal static class IngestEndpoints
{
    public static IEndpointRouteBuilder MapIngest(this IEndpointRouteBuilder app)
    {
        app.MapPost("/$ingest", Accept);
        app.MapGet("/$ingest-status/{id:guid}", Status);
        return app;
    }

    private static async Task<IResult> Accept(HttpContext context, PhrOptions options, IngestService ingest, IBackgroundJobClient jobs, CancellationToken cancellationToken)
    {
        var body = await FhirHttp.ReadBodyAsync(context.Request, options, cancellationToken);
        var job = await ingest.AcceptAsync(body, context.Request.ContentType, context.Request.Query["source"].FirstOrDefault(), cancellationToken);
        // Only the job id travels through the queue: the file waits encrypted in the store.
        jobs.Enqueue<IngestService>(service => service.RunAsync(job.Id, CancellationToken.None));
        context.Response.Headers.ContentLocation = $"{FhirHttp.BaseUrl(context.Request)}/$ingest-status/{job.Id}";
        return Results.StatusCode(StatusCodes.Status202Accepted);
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
        var outcome = (OperationOutcome)FhirFormats.ParseJson(System.Text.Encoding.UTF8.GetBytes(job.ResultJson ?? "{\"resourceType\":\"OperationOutcome\"}"));
        return FhirHttp.Write(context, outcome, job.Status == IngestStatus.Completed ? StatusCodes.Status200OK : StatusCodes.Status422UnprocessableEntity);
    }
}
