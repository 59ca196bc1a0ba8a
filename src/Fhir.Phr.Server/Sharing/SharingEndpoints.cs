using System.Globalization;
using Fhir.Phr.Core;
using Fhir.Phr.Core.Access;
using Fhir.Phr.Core.Errors;
using Fhir.Phr.Core.Keys;
using Fhir.Phr.Server.Fhir;
using Hangfire;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Server.Sharing;

/// <summary>
/// The owner's sharing controls as FHIR operations on their Patient (Parameters in and out):
/// <c>$share</c>, <c>$shares</c> (who has access, break-glass included), <c>$revoke</c> (which
/// re-wraps the record's older key envelopes in the background) and <c>$break-glass</c>.
/// </summary>
internal static class SharingEndpoints
{
    public static IEndpointRouteBuilder MapSharing(this IEndpointRouteBuilder app)
    {
        app.MapPost("/Patient/{id}/$share", Share);
        app.MapGet("/Patient/{id}/$shares", List);
        app.MapPost("/Patient/{id}/$revoke", Revoke);
        app.MapPost("/Patient/{id}/$break-glass", BreakGlass);
        return app;
    }

    private static async Task<IResult> Share(HttpContext context, string id, PhrOptions options, SharingService sharing, CancellationToken cancellationToken)
    {
        var parameters = await ReadParametersAsync(context, options, cancellationToken);
        var access = Text(parameters, "access") ?? "read";
        if (access is not ("read" or "write"))
            throw FhirProblem.BadRequest($"access '{access}' is not one of read, write.", "access");
        var grant = await sharing.ShareAsync(id, Text(parameters, "grantee") ?? "", access == "write", Text(parameters, "reason"), cancellationToken);
        return FhirHttp.Write(context, ToParameters([grant]), StatusCodes.Status201Created);
    }

    private static async Task<IResult> List(HttpContext context, string id, SharingService sharing, CancellationToken cancellationToken) =>
        FhirHttp.Write(context, ToParameters(await sharing.ListAsync(id, cancellationToken)));

    private static async Task<IResult> Revoke(HttpContext context, string id, PhrOptions options, SharingService sharing, IBackgroundJobClient jobs, CancellationToken cancellationToken)
    {
        var parameters = await ReadParametersAsync(context, options, cancellationToken);
        if (!long.TryParse(Text(parameters, "grant"), NumberStyles.None, CultureInfo.InvariantCulture, out var grantId))
            throw FhirProblem.BadRequest("Name the grant to revoke by its id (parameter 'grant', from $shares).", "grant");
        var grant = await sharing.RevokeAsync(id, grantId, cancellationToken);
        // New writes already use the new epoch; the older envelopes are re-wrapped in the background.
        jobs.Enqueue<RecordKeys>(keys => keys.RewrapAsync(id, CancellationToken.None));
        return FhirHttp.Write(context, ToParameters([grant]));
    }

    private static async Task<IResult> BreakGlass(HttpContext context, string id, PhrOptions options, SharingService sharing, CancellationToken cancellationToken)
    {
        var parameters = await ReadParametersAsync(context, options, cancellationToken);
        var grant = await sharing.BreakGlassAsync(id, Text(parameters, "reason"), cancellationToken);
        return FhirHttp.Write(context, ToParameters([grant]), StatusCodes.Status201Created);
    }

    private static async Task<Parameters> ReadParametersAsync(HttpContext context, PhrOptions options, CancellationToken cancellationToken) =>
        (Parameters)await FhirHttp.ReadResourceAsync(context.Request, options, "Parameters", cancellationToken);

    private static string? Text(Parameters parameters, string name) =>
        parameters.Parameter.FirstOrDefault(p => p.Name == name)?.Value switch
        {
            null => null,
            FhirString s => s.Value,
            Code c => c.Value,
            Id i => i.Value,
            Integer n => n.Value?.ToString(CultureInfo.InvariantCulture),
            Integer64 n => n.Value?.ToString(CultureInfo.InvariantCulture),
            var other => throw FhirProblem.BadRequest($"Parameter '{name}' must be a string or code, not {other.TypeName}.", name),
        };

    private static Parameters ToParameters(IEnumerable<AccessGrant> grants)
    {
        var result = new Parameters();
        foreach (var grant in grants)
        {
            var part = new Parameters.ParameterComponent { Name = "grant" };
            part.Part.Add(new() { Name = "id", Value = new FhirString(grant.Id.ToString(CultureInfo.InvariantCulture)) });
            part.Part.Add(new() { Name = "patient", Value = new ResourceReference("Patient/" + grant.PatientId) });
            part.Part.Add(new() { Name = "grantee", Value = new FhirString(grant.Grantee) });
            part.Part.Add(new() { Name = "kind", Value = new Code(grant.Kind == GrantKind.BreakGlass ? "break-glass" : "share") });
            part.Part.Add(new() { Name = "access", Value = new Code(grant.CanWrite ? "write" : "read") });
            part.Part.Add(new() { Name = "grantedAt", Value = new Instant(new DateTimeOffset(grant.GrantedAt, TimeSpan.Zero)) });
            if (grant.ExpiresAt is { } expires)
                part.Part.Add(new() { Name = "expiresAt", Value = new Instant(new DateTimeOffset(expires, TimeSpan.Zero)) });
            if (grant.RevokedAt is { } revoked)
                part.Part.Add(new() { Name = "revokedAt", Value = new Instant(new DateTimeOffset(revoked, TimeSpan.Zero)) });
            if (grant.Reason is { } reason)
                part.Part.Add(new() { Name = "reason", Value = new FhirString(reason) });
            result.Parameter.Add(part);
        }
        return result;
    }
}
