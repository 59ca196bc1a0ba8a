using System.Net;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Core.Errors;

/// <summary>
/// A protocol error with its HTTP status and an OperationOutcome. Thrown anywhere below the
/// endpoints and turned into one response shape by the server's single exception handler.
/// </summary>
public sealed class FhirProblem : Exception
{
    public FhirProblem(HttpStatusCode status, OperationOutcome outcome)
        : base(outcome?.Issue.FirstOrDefault()?.Diagnostics ?? status.ToString())
    {
        Status = status;
        Outcome = outcome ?? throw new ArgumentNullException(nameof(outcome));
    }

    public HttpStatusCode Status { get; }

    public OperationOutcome Outcome { get; }

    public static FhirProblem Of(HttpStatusCode status, OperationOutcome.IssueType code, string diagnostics, string? expression = null) =>
        new(status, Outcomes.Error(code, diagnostics, expression));

    public static FhirProblem BadRequest(string diagnostics, string? expression = null) =>
        Of(HttpStatusCode.BadRequest, OperationOutcome.IssueType.Invalid, diagnostics, expression);

    public static FhirProblem NotFound(string diagnostics) =>
        Of(HttpStatusCode.NotFound, OperationOutcome.IssueType.NotFound, diagnostics);

    public static FhirProblem Gone(string diagnostics) =>
        Of(HttpStatusCode.Gone, OperationOutcome.IssueType.Deleted, diagnostics);

    public static FhirProblem PreconditionFailed(string diagnostics) =>
        Of(HttpStatusCode.PreconditionFailed, OperationOutcome.IssueType.Conflict, diagnostics);

    public static FhirProblem Conflict(string diagnostics) =>
        Of(HttpStatusCode.Conflict, OperationOutcome.IssueType.Conflict, diagnostics);

    public static FhirProblem Unprocessable(OperationOutcome outcome) =>
        new((HttpStatusCode)422, outcome);
}

public static class Outcomes
{
    public static OperationOutcome Error(OperationOutcome.IssueType code, string diagnostics, string? expression = null) =>
        Single(OperationOutcome.IssueSeverity.Error, code, diagnostics, expression);

    public static OperationOutcome Information(string diagnostics) =>
        Single(OperationOutcome.IssueSeverity.Information, OperationOutcome.IssueType.Informational, diagnostics, null);

    private static OperationOutcome Single(OperationOutcome.IssueSeverity severity, OperationOutcome.IssueType code, string diagnostics, string? expression)
    {
        var issue = new OperationOutcome.IssueComponent { Severity = severity, Code = code, Diagnostics = diagnostics };
        if (expression is not null)
            issue.Expression = [expression];
        return new OperationOutcome { Id = Guid.NewGuid().ToString("N"), Issue = [issue] };
    }
}
