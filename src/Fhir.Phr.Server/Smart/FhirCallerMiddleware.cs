using System.Security.Claims;
using Fhir.Phr.Core.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using OpenIddict.Abstractions;
using OpenIddict.Validation.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Fhir.Phr.Server.Smart;

/// <summary>
/// On the FHIR, DICOMweb and ingest endpoints, after the bearer token was validated: turns the
/// token's claims into Core's <see cref="Caller"/> and authenticates the request's access context
/// with it, so that every interaction is checked against the granted scopes and patient context.
/// </summary>
internal sealed class FhirCallerMiddleware(RequestDelegate next)
{
    /// <summary>Endpoint metadata that marks the FHIR API group.</summary>
    public static readonly object Marker = new FhirApiMarker();

    public async Task InvokeAsync(HttpContext context, AccessAuthenticator authenticator)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<FhirApiMarker>() is not null && endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null)
        {
            // The authorization policy has already required a valid bearer token; an unauthenticated
            // request here would leave the access context open, so it is refused again.
            if (context.User.Identity?.IsAuthenticated != true || context.User.GetClaim(Claims.Subject) is null)
            {
                await context.ChallengeAsync(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme);
                return;
            }
            await authenticator.AuthenticateAsync(ToCaller(context.User), context.RequestAborted);
        }
        await next(context);
    }

    /// <summary>The caller an access token describes (claims as issued by <see cref="AuthorizationEndpoints"/>).</summary>
    public static Caller ToCaller(ClaimsPrincipal principal)
    {
        var subject = principal.GetClaim(Claims.Subject) ?? throw new InvalidOperationException("An access token without a subject.");
        return new Caller(subject, SmartClaims.ClientId(principal), principal.GetScopes())
        {
            Patient = principal.GetClaim(SmartClaims.Patient),
            FhirUser = RelativeReference(principal.GetClaim(SmartClaims.FhirUser)),
            Name = principal.GetClaim(Claims.Name),
            Roles = principal.GetClaims(Claims.Role),
        };
    }

    /// <summary><c>https://host/Patient/123</c> (the fhirUser URL) as Core's <c>Patient/123</c>.</summary>
    public static string? RelativeReference(string? url)
    {
        if (string.IsNullOrEmpty(url))
            return null;
        var parts = url.TrimEnd('/').Split('/');
        return parts.Length >= 2 ? parts[^2] + "/" + parts[^1] : null;
    }

    private sealed class FhirApiMarker;
}
