using System.Text.Json.Nodes;
using Hl7.Fhir.Model;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Fhir.Phr.Server.Smart;

/// <summary>
/// SMART discovery: <c>/.well-known/smart-configuration</c> (conformance.md) and the SMART
/// security section of the CapabilityStatement. URLs are absolute, built from the configured
/// issuer or, without one, from the request (the FHIR base is the server root).
/// </summary>
internal static class SmartConfiguration
{
    public static readonly string[] Capabilities =
    [
        "launch-ehr", "launch-standalone", "authorize-post",
        "client-public", "client-confidential-symmetric", "client-confidential-asymmetric",
        "sso-openid-connect",
        "context-banner", "context-ehr-patient", "context-standalone-patient",
        "permission-offline", "permission-online", "permission-patient", "permission-user", "permission-v1", "permission-v2",
    ];

    /// <summary>The FHIR base URL (and issuer), with a trailing slash.</summary>
    public static string BaseUrl(HttpRequest request, SmartOptions options)
    {
        var url = options.Issuer?.AbsoluteUri ?? $"{request.Scheme}://{request.Host}{request.PathBase}";
        return url.EndsWith('/') ? url : url + "/";
    }

    /// <summary>JSON whatever the Accept header says.</summary>
    public static IResult Get(HttpContext context, SmartOptions options)
    {
        var baseUrl = BaseUrl(context.Request, options);
        var document = new JsonObject
        {
            ["issuer"] = baseUrl,
            ["jwks_uri"] = baseUrl + SmartEndpoints.Jwks,
            ["authorization_endpoint"] = baseUrl + SmartEndpoints.Authorize,
            ["token_endpoint"] = baseUrl + SmartEndpoints.Token,
            ["introspection_endpoint"] = baseUrl + SmartEndpoints.Introspect,
            ["revocation_endpoint"] = baseUrl + SmartEndpoints.Revoke,
            ["registration_endpoint"] = baseUrl + SmartEndpoints.Register,
            ["grant_types_supported"] = Array(GrantTypes.AuthorizationCode, GrantTypes.RefreshToken, GrantTypes.ClientCredentials),
            ["response_types_supported"] = Array(ResponseTypes.Code),
            ["code_challenge_methods_supported"] = Array(CodeChallengeMethods.Sha256),
            ["token_endpoint_auth_methods_supported"] = Array(ClientAuthenticationMethods.ClientSecretBasic, ClientAuthenticationMethods.ClientSecretPost, ClientAuthenticationMethods.PrivateKeyJwt, "none"),
            ["token_endpoint_auth_signing_alg_values_supported"] = Array("RS384", "ES384", "RS256", "ES256"),
            ["scopes_supported"] = Array([.. SmartScopes.Advertised]),
            ["capabilities"] = Array(Capabilities),
        };
        context.Response.Headers.CacheControl = "public, max-age=3600";
        return Results.Text(document.ToJsonString(), "application/json", System.Text.Encoding.UTF8);
    }

    /// <summary>
    /// CapabilityStatement.rest.security: the SMART service coding and the oauth-uris extension
    /// (conformance.md#declaring-support-for-oauth2-endpoints), added to Core's statement.
    /// </summary>
    public static void AddSecurity(CapabilityStatement statement, SmartOptions options)
    {
        var baseUrl = options.Issuer?.AbsoluteUri ?? statement.Implementation?.Url ?? "";
        if (!baseUrl.EndsWith('/'))
            baseUrl += "/";
        var uris = new Extension { Url = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris" };
        uris.Extension.Add(new Extension("authorize", new FhirUri(baseUrl + SmartEndpoints.Authorize)));
        uris.Extension.Add(new Extension("token", new FhirUri(baseUrl + SmartEndpoints.Token)));
        uris.Extension.Add(new Extension("introspect", new FhirUri(baseUrl + SmartEndpoints.Introspect)));
        uris.Extension.Add(new Extension("revoke", new FhirUri(baseUrl + SmartEndpoints.Revoke)));
        uris.Extension.Add(new Extension("register", new FhirUri(baseUrl + SmartEndpoints.Register)));
        foreach (var rest in statement.Rest)
        {
            rest.Security = new CapabilityStatement.SecurityComponent
            {
                Cors = true,
                Service =
                [
                    new CodeableConcept("http://terminology.hl7.org/CodeSystem/restful-security-service", "SMART-on-FHIR", "SMART-on-FHIR",
                        "OAuth2 using SMART-on-FHIR profile (see http://docs.smarthealthit.org)"),
                ],
                Description = "SMART App Launch 2.2 (authorization code with PKCE S256) and SMART Backend Services (client_credentials with private_key_jwt); every interaction needs a bearer token. See /.well-known/smart-configuration.",
            };
            rest.Security.Extension.Add(uris);
        }
    }

    private static JsonArray Array(params string[] values) => new([.. values.Select(v => (JsonNode)JsonValue.Create(v))]);
}
