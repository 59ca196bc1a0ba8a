using System.Globalization;
using Fhir.Phr.Core;
using Fhir.Phr.Core.Access;
using Fhir.Phr.Core.Errors;
using Fhir.Phr.Core.Ingest;
using Fhir.Phr.Core.Serialization;
using Fhir.Phr.Server.Fhir;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Server.Ingest;

/// <summary>
/// The `$ingest` review queue as FHIR-style operations with Parameters in and out (like `$shares`): list items, show one
/// with its held resources and candidates, and decide it — `$accept` (new patient), `$link` (parameter `patient`) or
/// `$reject` (parameter `reason`, required). Each answer is the item as Parameters.
/// </summary>
internal static class IngestReviewEndpoints
{
    private const int DefaultCount = 50;

    public static IEndpointRouteBuilder MapIngestReview(this IEndpointRouteBuilder app)
    {
        app.MapGet("/$ingest-review", List);
        app.MapGet("/$ingest-review/{id:guid}", Show);
        app.MapPost("/$ingest-review/{id:guid}/$accept", Accept);
        app.MapPost("/$ingest-review/{id:guid}/$link", Link);
        app.MapPost("/$ingest-review/{id:guid}/$reject", Reject);
        return app;
    }

    // ?status=pending (the default) | accepted | linked | rejected | all, and _count.
    private static async Task<IResult> List(HttpContext context, IngestReviewService reviews, CancellationToken cancellationToken)
    {
        var statusText = context.Request.Query["status"].FirstOrDefault() ?? "pending";
        ReviewStatus? status = statusText == "all" ? null
            : Enum.TryParse<ReviewStatus>(statusText, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !char.IsDigit(statusText[0]) ? parsed
            : throw FhirProblem.BadRequest($"status '{statusText}' is not one of pending, accepted, linked, rejected, all.", "status");
        var countText = context.Request.Query["_count"].FirstOrDefault();
        var count = DefaultCount;
        if (countText is not null && (!int.TryParse(countText, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count < 1))
            throw FhirProblem.BadRequest($"_count '{countText}' is not a positive number.", "_count");
        var items = await reviews.ListAsync(status, count, cancellationToken);
        var result = new Parameters();
        result.Parameter.AddRange(items.Select(i => ItemParameter(context.Request, i)));
        return FhirHttp.Write(context, result);
    }

    private static async Task<IResult> Show(HttpContext context, Guid id, IngestReviewService reviews, CancellationToken cancellationToken)
    {
        var details = await reviews.GetAsync(id, cancellationToken);
        var item = ItemParameter(context.Request, details.Item);
        item.Part.AddRange(details.Held.Select(r => new Parameters.ParameterComponent { Name = "resource", Resource = r }));
        return FhirHttp.Write(context, new Parameters { Parameter = [item] });
    }

    private static async Task<IResult> Accept(HttpContext context, Guid id, PhrOptions options, IngestReviewService reviews, CancellationToken cancellationToken)
    {
        var parameters = await OperationParameters.ReadAsync(context.Request, options, cancellationToken);
        return Decided(context, await reviews.AcceptAsync(id, OperationParameters.Text(parameters, "reason"), cancellationToken));
    }

    private static async Task<IResult> Link(HttpContext context, Guid id, PhrOptions options, IngestReviewService reviews, CancellationToken cancellationToken)
    {
        var parameters = await OperationParameters.ReadAsync(context.Request, options, cancellationToken);
        var patient = parameters.Parameter.FirstOrDefault(p => p.Name == "patient")?.Value switch
        {
            ResourceReference reference => reference.Reference,
            FhirString text => text.Value,
            Id text => text.Value,
            _ => null,
        };
        // Patient/123, a full URL ending so, or the bare id.
        var patientId = patient is null ? null
            : RecordOwner.ParseReference(patient) is ("Patient", { } referenced) ? referenced
            : patient.Contains('/', StringComparison.Ordinal) ? throw FhirProblem.BadRequest($"'{patient}' is not a reference to a Patient.", "patient")
            : patient;
        return Decided(context, await reviews.LinkAsync(id, patientId, OperationParameters.Text(parameters, "reason"), cancellationToken));
    }

    private static async Task<IResult> Reject(HttpContext context, Guid id, PhrOptions options, IngestReviewService reviews, CancellationToken cancellationToken)
    {
        var parameters = await OperationParameters.ReadAsync(context.Request, options, cancellationToken);
        return Decided(context, await reviews.RejectAsync(id, OperationParameters.Text(parameters, "reason"), cancellationToken));
    }

    private static IResult Decided(HttpContext context, IngestReviewItem item) =>
        FhirHttp.Write(context, new Parameters { Parameter = [ItemParameter(context.Request, item)] });

    private static Parameters.ParameterComponent ItemParameter(HttpRequest request, IngestReviewItem item)
    {
        var part = new Parameters.ParameterComponent { Name = "item" };
        part.Part.Add(new() { Name = "id", Value = new Id(item.Id.ToString()) });
        part.Part.Add(new() { Name = "status", Value = new Code(item.Status.ToString().ToLowerInvariant()) });
        part.Part.Add(new() { Name = "job", Value = new FhirUrl($"{FhirHttp.BaseUrl(request)}/$ingest-status/{item.JobId}") });
        part.Part.Add(new() { Name = "position", Value = new FhirString(item.Position) });
        part.Part.Add(new() { Name = "created", Value = new Instant(new DateTimeOffset(item.CreatedAt, TimeSpan.Zero)) });
        foreach (var candidate in item.Candidates)
        {
            part.Part.Add(new()
            {
                Name = "candidate",
                Part =
                [
                    new() { Name = "patient", Value = new ResourceReference("Patient/" + candidate.PatientId) },
                    new() { Name = "score", Value = new FhirDecimal((decimal)candidate.Score) },
                    new() { Name = "grade", Value = new Code(candidate.Grade) },
                ],
            });
        }
        if (item.PatientId is { } patient)
            part.Part.Add(new() { Name = "patient", Value = new ResourceReference("Patient/" + patient) });
        if (item.DecidedBy is { } decidedBy)
            part.Part.Add(new() { Name = "decidedBy", Value = new FhirString(decidedBy) });
        if (item.DecidedAt is { } decidedAt)
            part.Part.Add(new() { Name = "decidedAt", Value = new Instant(new DateTimeOffset(decidedAt, TimeSpan.Zero)) });
        if (item.Reason is { } reason)
            part.Part.Add(new() { Name = "reason", Value = new FhirString(reason) });
        return part;
    }
}
