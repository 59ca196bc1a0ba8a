using System.Globalization;
using Fhir.Phr.Core;
using Fhir.Phr.Core.Access;
using Fhir.Phr.Core.Errors;
using Fhir.Phr.Core.Keys;
using Fhir.Phr.Server.Accounts;
using Fhir.Phr.Server.Fhir;
using Hangfire;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Identity;

namespace Fhir.Phr.Server.Sharing;

/// <summary>
/// The owner's sharing controls as FHIR operations on their Patient (Parameters in and out):
/// <c>$share</c>, <c>$shares</c> (who has access, break-glass included), <c>$revoke</c> (which
/// re-wraps the record's older key envelopes in the background) and <c>$break-glass</c>.
/// Owners name the account they share with as people know it (user name or email); grants
/// hold the account id, which is what access tokens carry as their subject.
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

    private static async Task<IResult> Share(HttpContext context, string id, PhrOptions options, SharingService sharing, UserManager<PhrUser> users, CancellationToken cancellationToken)
    {
        var parameters = await OperationParameters.ReadAsync(context.Request, options, cancellationToken);
        var access = OperationParameters.Text(parameters, "access") ?? "read";
        if (access is not ("read" or "write"))
            throw FhirProblem.BadRequest($"access '{access}' is not one of read, write.", "access");
        var named = OperationParameters.Text(parameters, "grantee")?.Trim();
        if (string.IsNullOrEmpty(named))
            throw FhirProblem.BadRequest("Name the account to share with (parameter 'grantee': its user name or email).", "grantee");
        // A share with a mistyped name would silently reach nobody, so an unknown account is an error
        // (told only to the record's owner, so that nobody else can probe for account names).
        await sharing.DemandOwnerAsync(id, cancellationToken);
        var grantee = await FindAccountAsync(users, named)
            ?? throw FhirProblem.NotFound($"There is no account '{named}' to share with; give its user name or email.");
        var grant = await sharing.ShareAsync(id, grantee.Id, access == "write", OperationParameters.Text(parameters, "reason"), cancellationToken);
        return FhirHttp.Write(context, await ToParametersAsync([grant], users), StatusCodes.Status201Created);
    }

    private static async Task<IResult> List(HttpContext context, string id, SharingService sharing, UserManager<PhrUser> users, CancellationToken cancellationToken) =>
        FhirHttp.Write(context, await ToParametersAsync(await sharing.ListAsync(id, cancellationToken), users));

    private static async Task<PhrUser?> FindAccountAsync(UserManager<PhrUser> users, string named) =>
        await users.FindByNameAsync(named)
        ?? (named.Contains('@', StringComparison.Ordinal) ? await users.FindByEmailAsync(named) : null)
        ?? await users.FindByIdAsync(named);

    private static async Task<IResult> Revoke(HttpContext context, string id, PhrOptions options, SharingService sharing, UserManager<PhrUser> users, IBackgroundJobClient jobs, CancellationToken cancellationToken)
    {
        var parameters = await OperationParameters.ReadAsync(context.Request, options, cancellationToken);
        if (!long.TryParse(OperationParameters.Text(parameters, "grant"), NumberStyles.None, CultureInfo.InvariantCulture, out var grantId))
            throw FhirProblem.BadRequest("Name the grant to revoke by its id (parameter 'grant', from $shares).", "grant");
        var grant = await sharing.RevokeAsync(id, grantId, cancellationToken);
        // New writes already use the new epoch; the older envelopes are re-wrapped in the background.
        jobs.Enqueue<RecordKeys>(keys => keys.RewrapAsync(id, CancellationToken.None));
        return FhirHttp.Write(context, await ToParametersAsync([grant], users));
    }

    private static async Task<IResult> BreakGlass(HttpContext context, string id, PhrOptions options, SharingService sharing, UserManager<PhrUser> users, CancellationToken cancellationToken)
    {
        var parameters = await OperationParameters.ReadAsync(context.Request, options, cancellationToken);
        var grant = await sharing.BreakGlassAsync(id, OperationParameters.Text(parameters, "reason"), cancellationToken);
        return FhirHttp.Write(context, await ToParametersAsync([grant], users), StatusCodes.Status201Created);
    }

    // Grants name accounts by id; the answer adds each account's user name so that people can read it.
    private static async Task<Parameters> ToParametersAsync(IReadOnlyList<AccessGrant> grants, UserManager<PhrUser> users)
    {
        var granteeNames = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var grantee in grants.Select(g => g.Grantee).Distinct(StringComparer.Ordinal))
            granteeNames[grantee] = (await users.FindByIdAsync(grantee))?.UserName;
        var result = new Parameters();
        foreach (var grant in grants)
        {
            var part = new Parameters.ParameterComponent { Name = "grant" };
            part.Part.Add(new() { Name = "id", Value = new FhirString(grant.Id.ToString(CultureInfo.InvariantCulture)) });
            part.Part.Add(new() { Name = "patient", Value = new ResourceReference("Patient/" + grant.PatientId) });
            part.Part.Add(new() { Name = "grantee", Value = new FhirString(grant.Grantee) });
            if (granteeNames.GetValueOrDefault(grant.Grantee) is { } name)
                part.Part.Add(new() { Name = "granteeName", Value = new FhirString(name) });
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
