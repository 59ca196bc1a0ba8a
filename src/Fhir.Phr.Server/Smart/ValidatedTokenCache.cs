using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Memory;
using OpenIddict.Abstractions;
using OpenIddict.Validation;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Validation.OpenIddictValidationEvents;

namespace Fhir.Phr.Server.Smart;

/// <summary>
/// Apps send the same access token with every request for its whole lifetime, so the expensive
/// part of validating it (JWE decryption and the RS256 signature check) is done once: the
/// principal that IdentityModel produced is kept, keyed by the SHA-256 of the token (the token
/// itself is not kept), until the token expires. Everything after that step still runs on every
/// request — expiry, audience, and with <see cref="SmartOptions.ValidateTokenEntries"/> the
/// revocation check — so a cache hit accepts exactly what a full validation would.
/// </summary>
internal sealed class ValidatedTokenCache : IDisposable
{
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 50_000 });

    /// <summary>How many validated tokens are remembered.</summary>
    public int Count => _cache.Count;

    public void Dispose() => _cache.Dispose();

    public static void Register(OpenIddictValidationBuilder validation)
    {
        validation.AddEventHandler<ValidateTokenContext>(handler => handler
            .UseSingletonHandler<UseValidatedPrincipal>()
            .SetOrder(OpenIddictValidationHandlers.Protection.ValidateIdentityModelToken.Descriptor.Order - 500)
            .SetType(OpenIddictValidationHandlerType.Custom));
        validation.AddEventHandler<ValidateTokenContext>(handler => handler
            .UseSingletonHandler<KeepValidatedPrincipal>()
            .SetOrder(OpenIddictValidationHandlers.Protection.ValidateIdentityModelToken.Descriptor.Order + 500)
            .SetType(OpenIddictValidationHandlerType.Custom));
    }

    private static bool IsAccessToken(ValidateTokenContext context) =>
        context.ValidTokenTypes.Count == 1 && context.ValidTokenTypes.Contains(TokenTypeIdentifiers.AccessToken) && !string.IsNullOrEmpty(context.Token);

    private static string Key(string token) => Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Before IdentityModel: a principal already validated for this exact token skips the cryptography.</summary>
    internal sealed class UseValidatedPrincipal(ValidatedTokenCache cache) : IOpenIddictValidationHandler<ValidateTokenContext>
    {
        public ValueTask HandleAsync(ValidateTokenContext context)
        {
            if (context.Principal is null && IsAccessToken(context) && cache._cache.TryGetValue(Key(context.Token), out ClaimsPrincipal? principal) && principal is not null)
                context.Principal = principal.Clone();
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>After IdentityModel validated a token: keep a copy of its principal until the token expires.</summary>
    internal sealed class KeepValidatedPrincipal(ValidatedTokenCache cache, TimeProvider time) : IOpenIddictValidationHandler<ValidateTokenContext>
    {
        public ValueTask HandleAsync(ValidateTokenContext context)
        {
            // The JWT's own exp claim: OpenIddict derives its internal expiry claim from it in a later step.
            if (context.TokenValidationResult is { IsValid: true } && context.Principal is { } principal && IsAccessToken(context)
                && long.TryParse(principal.FindFirst(Claims.ExpiresAt)?.Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var exp)
                && DateTimeOffset.FromUnixTimeSeconds(exp) is var expires && expires > time.GetUtcNow())
            {
                using var entry = cache._cache.CreateEntry(Key(context.Token));
                entry.Value = principal.Clone();
                entry.Size = 1;
                entry.AbsoluteExpiration = expires;
            }
            return ValueTask.CompletedTask;
        }
    }
}
