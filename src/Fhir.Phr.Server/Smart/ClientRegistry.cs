using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Fhir.Phr.Core.Access;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Fhir.Phr.Server.Smart;

/// <summary>RFC 7591 client metadata, as sent to the registration endpoint and the admin API.</summary>
internal sealed record ClientMetadata
{
    [JsonPropertyName("client_name")]
    public string? ClientName { get; init; }

    [JsonPropertyName("redirect_uris")]
    public IReadOnlyList<string>? RedirectUris { get; init; }

    [JsonPropertyName("grant_types")]
    public IReadOnlyList<string>? GrantTypes { get; init; }

    [JsonPropertyName("response_types")]
    public IReadOnlyList<string>? ResponseTypes { get; init; }

    [JsonPropertyName("token_endpoint_auth_method")]
    public string? TokenEndpointAuthMethod { get; init; }

    /// <summary>The scopes the client may ever be granted (space-separated), e.g. <c>patient/*.rs user/*.rs</c>.</summary>
    [JsonPropertyName("scope")]
    public string? Scope { get; init; }

    [JsonPropertyName("jwks")]
    public JsonElement? Jwks { get; init; }

    [JsonPropertyName("jwks_uri")]
    public string? JwksUri { get; init; }

    /// <summary>Admin API only: the client's own tokens may carry the administrator role (with the admin scope).</summary>
    [JsonPropertyName("administrator")]
    public bool Administrator { get; init; }
}

/// <summary>What registration answers (RFC 7591 §3.2.1): the metadata as stored, the id and, once, the secret.</summary>
internal sealed record RegisteredClient
{
    [JsonPropertyName("client_id")]
    public required string ClientId { get; init; }

    [JsonPropertyName("client_secret")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ClientSecret { get; init; }

    [JsonPropertyName("client_id_issued_at")]
    public long ClientIdIssuedAt { get; init; }

    [JsonPropertyName("client_secret_expires_at")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? ClientSecretExpiresAt { get; init; }

    [JsonPropertyName("client_name")]
    public string? ClientName { get; init; }

    [JsonPropertyName("redirect_uris")]
    public IReadOnlyList<string> RedirectUris { get; init; } = [];

    [JsonPropertyName("grant_types")]
    public IReadOnlyList<string> GrantTypes { get; init; } = [];

    [JsonPropertyName("response_types")]
    public IReadOnlyList<string> ResponseTypes { get; init; } = [];

    [JsonPropertyName("token_endpoint_auth_method")]
    public required string TokenEndpointAuthMethod { get; init; }

    [JsonPropertyName("scope")]
    public required string Scope { get; init; }

    [JsonPropertyName("jwks_uri")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? JwksUri { get; init; }

    [JsonPropertyName("administrator")]
    public bool Administrator { get; init; }
}

/// <summary>
/// Registers and describes OAuth clients in OpenIddict's application store: exact redirect URIs
/// (no wildcards), the client type (public, confidential with a secret, confidential with keys),
/// the scopes it may be granted and its keys. Used by RFC 7591 registration, the admin API and
/// the first-start administrator client.
/// </summary>
internal sealed class ClientRegistry(IOpenIddictApplicationManager applications, ClientJwks jwks, TimeProvider time)
{
    public const string AuthMethodProperty = "token_endpoint_auth_method";
    public const string AdministratorProperty = "administrator";
    public const string IssuedAtProperty = "client_id_issued_at";

    private static readonly string[] KnownGrantTypes = [GrantTypes.AuthorizationCode, GrantTypes.RefreshToken, GrantTypes.ClientCredentials];

    /// <summary>A validation failure, as RFC 7591 §3.2.2 error codes.</summary>
    public sealed class RegistrationException(string error, string description) : Exception(description)
    {
        public string Error { get; } = error;
    }

    public async Task<RegisteredClient> RegisterAsync(ClientMetadata metadata, CancellationToken cancellationToken, string? clientId = null, string? clientSecret = null)
    {
        var method = metadata.TokenEndpointAuthMethod ?? ClientAuthenticationMethods.ClientSecretBasic;
        if (method is not ("none" or ClientAuthenticationMethods.ClientSecretBasic or ClientAuthenticationMethods.ClientSecretPost or ClientAuthenticationMethods.PrivateKeyJwt))
            throw Invalid($"token_endpoint_auth_method '{method}' is not supported; use none, client_secret_basic, client_secret_post or private_key_jwt.");
        var grants = (metadata.GrantTypes is { Count: > 0 } given ? given : [GrantTypes.AuthorizationCode]).Distinct().ToList();
        if (grants.FirstOrDefault(g => !KnownGrantTypes.Contains(g)) is { } unknownGrant)
            throw Invalid($"grant type '{unknownGrant}' is not supported; use authorization_code, refresh_token or client_credentials.");
        var code = grants.Contains(GrantTypes.AuthorizationCode);
        var backend = grants.Contains(GrantTypes.ClientCredentials);
        if (grants.Contains(GrantTypes.RefreshToken) && !code)
            throw Invalid("refresh_token needs the authorization_code grant.");
        if (backend && method == "none")
            throw Invalid("client_credentials needs a confidential client (client_secret_basic, client_secret_post or private_key_jwt).");
        var responseTypes = (metadata.ResponseTypes is { Count: > 0 } types ? types : code ? [ResponseTypes.Code] : []).Distinct().ToList();
        if (responseTypes.Any(t => t != ResponseTypes.Code) || (responseTypes.Count > 0) != code)
            throw Invalid("response_types must be [\"code\"] with authorization_code, and empty otherwise.");

        var redirects = (metadata.RedirectUris ?? []).Distinct(StringComparer.Ordinal).ToList();
        if (code && redirects.Count == 0)
            throw new RegistrationException("invalid_redirect_uri", "authorization_code needs at least one redirect URI.");
        if (!code && redirects.Count > 0)
            throw new RegistrationException("invalid_redirect_uri", "redirect_uris are only for the authorization_code grant.");
        foreach (var redirect in redirects)
        {
            if (RedirectProblem(redirect) is { } problem)
                throw new RegistrationException("invalid_redirect_uri", $"'{redirect}': {problem}");
        }

        var scopes = (metadata.Scope ?? (backend ? "system/*.rs" : "patient/*.rs user/*.rs")).Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct().ToList();
        foreach (var scope in scopes)
        {
            if (SmartScope.TryParse(scope, out var parsed))
            {
                if (parsed.Context == ScopeContext.System && !backend)
                    throw Invalid($"'{scope}': system/ scopes are for client_credentials clients.");
                if (parsed.Context != ScopeContext.System && !code)
                    throw Invalid($"'{scope}': patient/ and user/ scopes are for authorization_code clients.");
            }
            else if (!SmartScopes.Context.Contains(scope))
            {
                throw Invalid($"'{scope}' is not a scope this server grants.");
            }
        }

        JsonWebKeySet? keySet = null;
        if (method == ClientAuthenticationMethods.PrivateKeyJwt)
        {
            if (metadata.Jwks is null == (metadata.JwksUri is null))
                throw Invalid("private_key_jwt needs exactly one of jwks (inline JWK Set) or jwks_uri.");
            if (metadata.Jwks is { } inline)
            {
                keySet = ParseKeys(inline);
            }
            else
            {
                if (!jwks.IsAllowed(metadata.JwksUri!, out var reason))
                    throw Invalid(reason);
                // Fetched now so that a wrong URL fails here, not at the first token request; kept
                // as the stored key set, while assertions are checked against the URL's current keys.
                var fetched = await jwks.GetAsync(metadata.JwksUri!, cancellationToken)
                    ?? throw Invalid($"The JWK Set at {metadata.JwksUri} could not be fetched or read.");
                keySet = CheckKeys(fetched);
            }
        }
        else if (metadata.Jwks is not null || metadata.JwksUri is not null)
        {
            throw Invalid("jwks and jwks_uri are only for private_key_jwt.");
        }

        var issuedAt = time.GetUtcNow().ToUnixTimeSeconds();
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = clientId ?? "c-" + Random(15),
            DisplayName = string.IsNullOrWhiteSpace(metadata.ClientName) ? null : metadata.ClientName.Trim(),
            ClientType = method == "none" ? ClientTypes.Public : ClientTypes.Confidential,
            JsonWebKeySet = keySet,
        };
        string? secret = null;
        if (method is ClientAuthenticationMethods.ClientSecretBasic or ClientAuthenticationMethods.ClientSecretPost)
            descriptor.ClientSecret = secret = clientSecret ?? Random(32);
        foreach (var redirect in redirects)
            descriptor.RedirectUris.Add(new Uri(redirect));
        descriptor.Permissions.Add(Permissions.Endpoints.Token);
        descriptor.Permissions.Add(Permissions.Endpoints.Revocation);
        if (method != "none")
            descriptor.Permissions.Add(Permissions.Endpoints.Introspection);
        if (code)
        {
            descriptor.Permissions.Add(Permissions.Endpoints.Authorization);
            descriptor.Permissions.Add(Permissions.GrantTypes.AuthorizationCode);
            descriptor.Permissions.Add(Permissions.ResponseTypes.Code);
            descriptor.Requirements.Add(Requirements.Features.ProofKeyForCodeExchange);
            // Refresh tokens are granted with offline_access/online_access; the grant is then needed to use them.
            descriptor.Permissions.Add(Permissions.GrantTypes.RefreshToken);
        }
        if (backend)
            descriptor.Permissions.Add(Permissions.GrantTypes.ClientCredentials);
        foreach (var scope in scopes)
            descriptor.Permissions.Add(Permissions.Prefixes.Scope + scope);
        descriptor.Properties[AuthMethodProperty] = JsonSerializer.SerializeToElement(method);
        descriptor.Properties[IssuedAtProperty] = JsonSerializer.SerializeToElement(issuedAt);
        if (metadata.JwksUri is not null)
            descriptor.Properties[ClientAssertionHandlers.JwksUriProperty] = JsonSerializer.SerializeToElement(metadata.JwksUri);
        if (metadata.Administrator)
            descriptor.Properties[AdministratorProperty] = JsonSerializer.SerializeToElement(true);

        await applications.CreateAsync(descriptor, cancellationToken);
        return (await DescribeAsync(descriptor.ClientId, cancellationToken))! with
        {
            ClientSecret = secret,
            ClientSecretExpiresAt = secret is null ? null : 0,
        };
    }

    public async Task<RegisteredClient?> DescribeAsync(string clientId, CancellationToken cancellationToken)
    {
        if (await applications.FindByClientIdAsync(clientId, cancellationToken) is not { } application)
            return null;
        var permissions = await applications.GetPermissionsAsync(application, cancellationToken);
        var properties = await applications.GetPropertiesAsync(application, cancellationToken);
        var redirects = await applications.GetRedirectUrisAsync(application, cancellationToken);
        List<string> grants = [];
        foreach (var grant in KnownGrantTypes)
        {
            if (permissions.Contains(Permissions.Prefixes.GrantType + grant))
                grants.Add(grant);
        }
        return new RegisteredClient
        {
            ClientId = clientId,
            ClientName = await applications.GetDisplayNameAsync(application, cancellationToken),
            ClientIdIssuedAt = properties.TryGetValue(IssuedAtProperty, out var issued) && issued.ValueKind == JsonValueKind.Number ? issued.GetInt64() : 0,
            RedirectUris = [.. redirects],
            GrantTypes = grants,
            ResponseTypes = permissions.Contains(Permissions.ResponseTypes.Code) ? [ResponseTypes.Code] : [],
            TokenEndpointAuthMethod = properties.TryGetValue(AuthMethodProperty, out var method) ? method.GetString() ?? "" : "",
            Scope = string.Join(' ', AllowedScopes(permissions)),
            JwksUri = properties.TryGetValue(ClientAssertionHandlers.JwksUriProperty, out var uri) ? uri.GetString() : null,
            Administrator = IsAdministrator(properties),
        };
    }

    public async Task<IReadOnlyList<RegisteredClient>> ListAsync(CancellationToken cancellationToken)
    {
        List<RegisteredClient> clients = [];
        await foreach (var application in applications.ListAsync(500, 0, cancellationToken))
        {
            if (await applications.GetClientIdAsync(application, cancellationToken) is { } id && await DescribeAsync(id, cancellationToken) is { } client)
                clients.Add(client);
        }
        return clients;
    }

    public async Task<bool> DeleteAsync(string clientId, CancellationToken cancellationToken)
    {
        if (await applications.FindByClientIdAsync(clientId, cancellationToken) is not { } application)
            return false;
        await applications.DeleteAsync(application, cancellationToken);
        return true;
    }

    /// <summary>The scopes a client was registered for (its <c>scp:</c> permissions).</summary>
    public static IEnumerable<string> AllowedScopes(IEnumerable<string> permissions) =>
        permissions.Where(p => p.StartsWith(Permissions.Prefixes.Scope, StringComparison.Ordinal)).Select(p => p[Permissions.Prefixes.Scope.Length..]);

    public static bool IsAdministrator(IReadOnlyDictionary<string, JsonElement> properties) =>
        properties.TryGetValue(AdministratorProperty, out var value) && value.ValueKind == JsonValueKind.True;

    /// <summary>
    /// RFC 8252 / OAuth security BCP: https, http only on loopback, or a private-use scheme with a
    /// dot (com.example.app:/cb); absolute, no fragment, and no wildcard characters at all.
    /// </summary>
    public static string? RedirectProblem(string redirect)
    {
        if (redirect.Contains('*', StringComparison.Ordinal) || redirect.Any(char.IsWhiteSpace))
            return "wildcards and spaces are not allowed; register each redirect URI exactly.";
        if (!Uri.TryCreate(redirect, UriKind.Absolute, out var uri))
            return "not an absolute URI.";
        if (!string.IsNullOrEmpty(uri.Fragment) || redirect.Contains('#', StringComparison.Ordinal))
            return "a redirect URI must not have a fragment.";
        if (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && (uri.IsLoopback || uri.Host == "localhost")))
            return null;
        if (uri.Scheme == Uri.UriSchemeHttp)
            return "http is only allowed for loopback (localhost) redirect URIs; use https.";
        return uri.Scheme.Contains('.', StringComparison.Ordinal) ? null : "use https, loopback http, or a private-use scheme such as com.example.app.";
    }

    private static JsonWebKeySet ParseKeys(JsonElement inline)
    {
        try
        {
            return CheckKeys(new JsonWebKeySet(inline.GetRawText()));
        }
        catch (ArgumentException exception)
        {
            throw Invalid("jwks is not a JWK Set: " + exception.Message);
        }
    }

    /// <summary>Signing keys only (RSA or EC, public, with a kid); a key without "use" is taken as a signing key.</summary>
    private static JsonWebKeySet CheckKeys(JsonWebKeySet set)
    {
        if (set.Keys.Count == 0)
            throw Invalid("The JWK Set holds no keys.");
        foreach (var key in set.Keys)
        {
            if (key.Kty is not (JsonWebAlgorithmsKeyTypes.RSA or JsonWebAlgorithmsKeyTypes.EllipticCurve))
                throw Invalid($"JWK Set: key type '{key.Kty}' is not supported; use RSA or EC keys.");
            if (string.IsNullOrEmpty(key.Kid))
                throw Invalid("JWK Set: every key needs a kid.");
            if (key.HasPrivateKey || !string.IsNullOrEmpty(key.D))
                throw Invalid("JWK Set: register public keys only; never send a private key.");
            if (key.Use is { Length: > 0 } use && use != JsonWebKeyUseNames.Sig)
                throw Invalid($"JWK Set: key {key.Kid} is for '{use}', not for signatures.");
            if (KeyProblem(key) is { } problem)
                throw Invalid($"JWK Set: key {key.Kid} {problem}");
            key.Use = JsonWebKeyUseNames.Sig;
        }
        return set;
    }

    /// <summary>Why the key material cannot verify SMART assertions (RS384 with ≥ 2048-bit RSA, ES384 and friends on NIST curves), or null.</summary>
    private static string? KeyProblem(JsonWebKey key)
    {
        try
        {
            if (key.Kty == JsonWebAlgorithmsKeyTypes.RSA)
            {
                var modulus = Base64UrlEncoder.DecodeBytes(key.N ?? "");
                var exponent = Base64UrlEncoder.DecodeBytes(key.E ?? "");
                return modulus.Length * 8 < 2048 || exponent.Length == 0 ? "is not an RSA public key of at least 2048 bits." : null;
            }
            var size = key.Crv switch { "P-256" => 32, "P-384" => 48, "P-521" => 66, _ => 0 };
            if (size == 0)
                return "uses a curve other than P-256, P-384 or P-521.";
            return Base64UrlEncoder.DecodeBytes(key.X ?? "").Length == size && Base64UrlEncoder.DecodeBytes(key.Y ?? "").Length == size
                ? null
                : "does not hold a point on its curve (x and y).";
        }
        catch (FormatException)
        {
            return "is not base64url-encoded key material.";
        }
    }

    private static RegistrationException Invalid(string description) => new("invalid_client_metadata", description);

    private static string Random(int bytes) =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
