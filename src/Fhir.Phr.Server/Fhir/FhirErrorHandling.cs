using Fhir.Phr.Core.Errors;
using Fhir.Phr.Protection;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Diagnostics;

namespace Fhir.Phr.Server.Fhir;

/// <summary>
/// The one place where failures become responses: a <see cref="FhirProblem"/> keeps its status
/// and OperationOutcome; ASP.NET Core's own 4xx (unknown route, wrong method, body too large,
/// a body that does not bind) get an OperationOutcome too, or RFC 9457 problem details on the
/// plain JSON APIs for accounts and administration; anything else is a logged 500 that reveals
/// no internals.
/// </summary>
internal sealed partial class FhirExceptionHandler(ILogger<FhirExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        switch (exception)
        {
            case FhirProblem problem:
                await FhirHttp.WriteProblemAsync(httpContext, (int)problem.Status, problem.Outcome);
                return true;
            case BadHttpRequestException bad when IsJsonApi(httpContext.Request):
                await WriteProblemDetailsAsync(httpContext, bad.StatusCode, bad.Message);
                return true;
            case BadHttpRequestException bad:
                await FhirHttp.WriteProblemAsync(httpContext, bad.StatusCode, Outcomes.Error(
                    bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? OperationOutcome.IssueType.TooCostly : OperationOutcome.IssueType.Invalid, bad.Message));
                return true;
            case OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested:
                return true;
            case PayloadIntegrityException integrity:
                LogIntegrityFailure(logger, integrity.Context.ResourceType, integrity.Context.ResourceId, integrity.Context.Version);
                await FhirHttp.WriteProblemAsync(httpContext, StatusCodes.Status500InternalServerError,
                    Outcomes.Error(OperationOutcome.IssueType.Security, "A stored record failed its integrity check and was not returned."));
                return true;
            default:
                LogUnhandled(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
                await FhirHttp.WriteProblemAsync(httpContext, StatusCodes.Status500InternalServerError,
                    Outcomes.Error(OperationOutcome.IssueType.Exception, "The server failed to process the request; the failure was logged."));
                return true;
        }
    }

    /// <summary>The account and administration APIs speak plain JSON, not FHIR.</summary>
    private static bool IsJsonApi(HttpRequest request) =>
        request.Path.StartsWithSegments("/api", StringComparison.Ordinal) || request.Path.StartsWithSegments("/admin", StringComparison.Ordinal);

    private static async Task WriteProblemDetailsAsync(HttpContext http, int status, string detail)
    {
        http.Response.StatusCode = status;
        var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = { Status = status, Detail = detail } });
    }

    /// <summary>Gives bodiless error responses (404 unknown route, 405 wrong method) an OperationOutcome.</summary>
    public static async Task WriteStatusOutcomeAsync(StatusCodeContext context)
    {
        var http = context.HttpContext;
        var status = http.Response.StatusCode;
        if (IsJsonApi(http.Request))
        {
            await WriteProblemDetailsAsync(http, status, status switch
            {
                401 => "Authentication is required.",
                403 => "Access denied.",
                404 => $"Nothing at {http.Request.Path}.",
                405 => $"{http.Request.Method} is not supported on {http.Request.Path}.",
                _ => $"HTTP {status}.",
            });
            return;
        }
        var (code, text) = status switch
        {
            404 => (OperationOutcome.IssueType.NotFound, $"No FHIR endpoint at {http.Request.Path}."),
            405 => (OperationOutcome.IssueType.NotSupported, $"{http.Request.Method} is not supported on {http.Request.Path}."),
            415 => (OperationOutcome.IssueType.NotSupported, "Unsupported media type."),
            401 => (OperationOutcome.IssueType.Login, "Authentication is required."),
            403 => (OperationOutcome.IssueType.Forbidden, "Access denied."),
            _ => (OperationOutcome.IssueType.Processing, $"HTTP {status}."),
        };
        await FhirHttp.WriteProblemAsync(http, status, Outcomes.Error(code, text));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled failure on {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Integrity check failed for {Type}/{Id}/_history/{Version}: the stored payload was altered or moved")]
    private static partial void LogIntegrityFailure(ILogger logger, string type, string id, int version);
}
