using Fhir.Phr.Core.Access;
using Fhir.Phr.Core.Resources;

namespace Fhir.Phr.Server.Smart;

/// <summary>
/// <c>POST /auth/launch</c> mints an EHR launch for a patient: <c>{"patient": "123"}</c> gives
/// <c>{"launch": "...", "iss": "&lt;FHIR base&gt;"}</c>, which a portal puts on the app's launch URL
/// (<c>?iss=...&amp;launch=...</c>). The caller (a bearer token) must be able to see the patient.
/// </summary>
internal static class LaunchEndpoints
{
    internal sealed record LaunchBody(string? Patient);

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapPost("/" + SmartEndpoints.Launch, Mint).RequireAuthorization(SmartSetup.FhirPolicy).RequireCors(SmartSetup.CorsPolicy).DisableAntiforgery();

    private static async Task<IResult> Mint(LaunchBody body, HttpContext http, SmartLaunches launches, AccessAuthenticator authenticator, ResourceService resources, SmartOptions options, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(body.Patient))
            return Results.Problem(statusCode: 400, detail: "Give the patient id: {\"patient\": \"123\"}.");
        var patient = body.Patient.StartsWith("Patient/", StringComparison.Ordinal) ? body.Patient["Patient/".Length..] : body.Patient;
        var caller = FhirCallerMiddleware.ToCaller(http.User);
        var system = caller.Scopes.Any(s => SmartScope.TryParse(s, out var scope) && scope.Context == ScopeContext.System);
        var visible = system || (await authenticator.PatientsVisibleToAsync(caller, cancellationToken)).Contains(patient);
        // The same answer for a patient that does not exist and one the caller may not see.
        if (!visible || await resources.FindCurrentAsync("Patient", patient, cancellationToken) is null)
            return Results.Problem(statusCode: 404, detail: $"Patient/{patient} is not a patient you can launch an app for.");
        var (launch, expiresAt) = await launches.MintAsync(patient, caller.Subject, cancellationToken);
        http.Response.Headers.CacheControl = "no-store";
        return Results.Json(new
        {
            launch,
            patient,
            iss = SmartConfiguration.BaseUrl(http.Request, options).TrimEnd('/'),
            expires_at = new DateTimeOffset(expiresAt, TimeSpan.Zero),
        });
    }
}
