using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Fhir.Phr.Server.Smart;

/// <summary>
/// SMART Backend Services' rules for <c>private_key_jwt</c> client assertions
/// (client-confidential-asymmetric.md, backend-services.md) on top of OpenIddict's validation,
/// which checks the signature against the client's registered keys, <c>iss</c> = <c>sub</c> =
/// client_id and expiry. OpenIddict 7 follows draft-ietf-oauth-rfc7523bis (typ
/// <c>client-authentication+jwt</c>, aud = issuer); SMART 2.2 requires typ <c>JWT</c> and aud =
/// the token URL, so both are accepted here. Keys come inline (the application's JWK Set) or
/// from a registered <c>jwks_uri</c> on the allowed hosts.
/// </summary>
internal static class ClientAssertionHandlers
{
    public const string JwksUriProperty = "jwks_uri";

    /// <summary>The longest an assertion may live: "exp ... no more than five minutes in the future".</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromMinutes(5);

    public static void Register(OpenIddictServerBuilder server)
    {
        server.AddEventHandler<ValidateTokenContext>(handler => handler
            .UseScopedHandler<ResolveAssertionParameters>()
            .SetOrder(OpenIddictServerHandlers.Protection.ResolveTokenValidationParameters.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom));
        server.AddEventHandler<ValidateTokenContext>(handler => handler
            .UseSingletonHandler<TypeSmartAssertion>()
            .SetOrder(OpenIddictServerHandlers.Protection.ValidateIdentityModelToken.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom));
        server.AddEventHandler<ProcessAuthenticationContext>(handler => handler
            .UseScopedHandler<ApplySmartAssertionRules>()
            .SetOrder(OpenIddictServerHandlers.ValidateClientAssertionIssuer.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom));
    }

    private static bool IsClientAssertion(ValidateTokenContext context) =>
        context.ValidTokenTypes.Count == 1 && context.ValidTokenTypes.Contains(TokenTypeIdentifiers.Private.ClientAssertion);

    /// <summary>Accepts typ JWT, the token URL as audience, SMART's algorithms and keys fetched from a jwks_uri.</summary>
    internal sealed class ResolveAssertionParameters(IOpenIddictApplicationManager applications, ClientJwks jwks) : IOpenIddictServerHandler<ValidateTokenContext>
    {
        public async ValueTask HandleAsync(ValidateTokenContext context)
        {
            if (!IsClientAssertion(context))
                return;
            var parameters = context.TokenValidationParameters;
            parameters.ValidTypes = ["JWT", "application/JWT", "client-authentication+jwt", "application/client-authentication+jwt"];
            parameters.ValidAlgorithms = [SecurityAlgorithms.RsaSha384, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256,
                SecurityAlgorithms.RsaSha512, SecurityAlgorithms.EcdsaSha512, SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512];
            // The audience is checked in ApplySmartAssertionRules, where a mismatch is invalid_client (401).
            context.DisableAudienceValidation = true;

            JsonWebToken token;
            try
            {
                token = new JsonWebToken(context.Token);
            }
            catch (ArgumentException)
            {
                return; // OpenIddict rejects what it cannot read.
            }
            var application = await applications.FindByClientIdAsync(token.Issuer);
            if (application is null)
                return;

            List<SecurityKey> keys = [];
            if (await applications.GetJsonWebKeySetAsync(application) is { } inline)
                keys.AddRange(inline.GetSigningKeys());
            var properties = await applications.GetPropertiesAsync(application);
            var registeredUri = properties.TryGetValue(JwksUriProperty, out var uri) && uri.ValueKind == JsonValueKind.String ? uri.GetString() : null;
            if (token.TryGetHeaderValue<string>("jku", out var jku) && !string.Equals(jku, registeredUri, StringComparison.Ordinal))
            {
                // client-confidential-asymmetric.md: a jku header SHALL match the registered JWKS URL.
                context.Reject(Errors.InvalidClient, "The assertion's jku header does not match the client's registered jwks_uri.");
                return;
            }
            if (registeredUri is not null)
            {
                var fetched = await jwks.GetAsync(registeredUri, context.CancellationToken);
                if (fetched is null)
                {
                    context.Reject(Errors.InvalidClient, "The client's JWK Set could not be fetched from its jwks_uri.");
                    return;
                }
                keys.AddRange(fetched.GetSigningKeys());
            }
            parameters.IssuerSigningKeyResolver = null;
            parameters.IssuerSigningKeys = keys;
        }
    }

    /// <summary>OpenIddict types a <c>typ: JWT</c> token as an id_token; here it is the client assertion being validated.</summary>
    internal sealed class TypeSmartAssertion : IOpenIddictServerHandler<ValidateTokenContext>
    {
        public ValueTask HandleAsync(ValidateTokenContext context)
        {
            if (IsClientAssertion(context) && context.Principal is { } principal && principal.HasTokenType(TokenTypeIdentifiers.IdentityToken))
                principal.SetTokenType(TokenTypeIdentifiers.Private.ClientAssertion);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>
    /// Refuses assertions addressed elsewhere (aud must be our token URL, or our issuer as
    /// rfc7523bis asks), that live too long, lack a jti, or reuse one (replay).
    /// </summary>
    internal sealed class ApplySmartAssertionRules(SmartDbContext db) : IOpenIddictServerHandler<ProcessAuthenticationContext>
    {
        public async ValueTask HandleAsync(ProcessAuthenticationContext context)
        {
            if (context.ClientAssertionPrincipal is not { } principal)
                return;
            var issuer = context.Options.Issuer ?? context.BaseUri ?? throw new InvalidOperationException("No issuer.");
            var tokenUrl = new Uri(issuer, SmartEndpoints.Token).AbsoluteUri;
            var audiences = principal.GetAudiences();
            if (!audiences.Any(a => a == tokenUrl || a == issuer.AbsoluteUri || a == issuer.AbsoluteUri.TrimEnd('/')))
            {
                context.Reject(Errors.InvalidClient, $"The client assertion's aud must be the token endpoint URL {tokenUrl}.");
                return;
            }
            var now = context.Options.TimeProvider.GetUtcNow();
            var expires = principal.GetExpirationDate();
            if (expires is null || expires > now + MaxLifetime + TimeSpan.FromSeconds(30))
            {
                context.Reject(Errors.InvalidClient, "The client assertion's exp must be at most five minutes in the future.");
                return;
            }
            var clientId = principal.GetClaim(Claims.Issuer)!;
            var tokenId = principal.GetClaim(Claims.JwtId);
            if (string.IsNullOrEmpty(tokenId) || tokenId.Length > 256)
            {
                context.Reject(Errors.InvalidClient, "The client assertion needs a jti (at most 256 characters).");
                return;
            }

            var nowUtc = now.UtcDateTime;
            await db.SpentAssertions.Where(a => a.ExpiresAt < nowUtc).ExecuteDeleteAsync(context.CancellationToken);
            if (await db.SpentAssertions.AnyAsync(a => a.ClientId == clientId && a.TokenId == tokenId, context.CancellationToken))
            {
                context.Reject(Errors.InvalidClient, "The client assertion was already used (jti replay).");
                return;
            }
            db.SpentAssertions.Add(new SpentAssertion { ClientId = clientId, TokenId = tokenId, ExpiresAt = expires.Value.UtcDateTime.AddMinutes(1) });
            try
            {
                await db.SaveChangesAsync(context.CancellationToken);
            }
            catch (DbUpdateException)
            {
                // The primary key (client, jti) is the replay check; the database decides races.
                context.Reject(Errors.InvalidClient, "The client assertion was already used (jti replay).");
            }
            finally
            {
                db.ChangeTracker.Clear();
            }
        }
    }
}
