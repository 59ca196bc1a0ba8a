using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Fhir.Phr.Benchmarks.Smart;

/// <summary>
/// Tokens issued per second by the token endpoint over loopback HTTP: client_credentials with
/// client_secret_basic (the README's admin curl) and with a private_key_jwt assertion (SMART
/// Backend Services, RS384, including the client's signing and the jti replay record). Each
/// invocation issues <see cref="Batch"/> tokens, <see cref="Concurrency"/> at a time; the mean per
/// operation is the time per token, so tokens/s = 1 s / mean. Every token also writes OpenIddict's
/// token entry, which is what makes revocation and introspection possible.
/// </summary>
[MemoryDiagnoser]
public class TokenIssuanceBenchmarks
{
    private const int Batch = 32;
    private SmartBenchmarkServer _server = null!;
    private AuthenticationHeaderValue _basic = null!;
    private string _backendClientId = null!;
    private RsaSecurityKey _backendKey = null!;

    [Params(1, 8)]
    public int Concurrency { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _server = await SmartBenchmarkServer.StartAsync();
        var (clientId, secret) = _server.AdminClient();
        _basic = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(clientId + ":" + secret)));

        // A backend service registered through the admin API with an inline RS384 key.
        var rsa = RSA.Create(2048);
        var parameters = rsa.ExportParameters(false);
        _backendKey = new RsaSecurityKey(rsa) { KeyId = "bench-" + Guid.NewGuid().ToString("N")[..8] };
        var jwk = new JsonObject
        {
            ["kty"] = "RSA", ["kid"] = _backendKey.KeyId, ["alg"] = "RS384", ["use"] = "sig",
            ["n"] = Base64Url(parameters.Modulus!), ["e"] = Base64Url(parameters.Exponent!),
        };
        using var admin = new HttpRequestMessage(HttpMethod.Post, "/admin/clients")
        {
            Content = JsonContent.Create(new
            {
                client_name = "Benchmark EMR",
                grant_types = new[] { "client_credentials" },
                token_endpoint_auth_method = "private_key_jwt",
                scope = "system/*.rs",
                jwks = new JsonObject { ["keys"] = new JsonArray(jwk) },
            }),
        };
        admin.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await _server.ClientCredentialsTokenAsync("admin"));
        using var registered = await _server.Http.SendAsync(admin);
        var body = await registered.Content.ReadFromJsonAsync<JsonElement>();
        _backendClientId = body.GetProperty("client_id").GetString() ?? throw new InvalidOperationException("registration failed: " + body);
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public Task ClientSecretBasic() => IssueAsync(() =>
    {
        var request = Form(new() { ["grant_type"] = "client_credentials", ["scope"] = "system/*.rs" });
        request.Headers.Authorization = _basic;
        return request;
    });

    [Benchmark(OperationsPerInvoke = Batch)]
    public Task PrivateKeyJwtRs384() => IssueAsync(() => Form(new()
    {
        ["grant_type"] = "client_credentials",
        ["scope"] = "system/*.rs",
        ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ["client_assertion"] = Assertion(),
    }));

    private async Task IssueAsync(Func<HttpRequestMessage> request) =>
        await Parallel.ForAsync(0, Batch, new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (_, cancellationToken) =>
        {
            using var message = request();
            using var response = await _server.Http.SendAsync(message, cancellationToken);
            if (!response.IsSuccessStatusCode)
                throw new InvalidOperationException($"token request failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        });

    private static HttpRequestMessage Form(Dictionary<string, string> fields) =>
        new(HttpMethod.Post, "/auth/token") { Content = new FormUrlEncodedContent(fields) };

    private string Assertion()
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _backendClientId,
            Audience = _server.TokenUrl,
            Claims = new Dictionary<string, object> { ["sub"] = _backendClientId, ["jti"] = Guid.NewGuid().ToString("N") },
            IssuedAt = now,
            Expires = now.AddMinutes(4),
            TokenType = "JWT",
            SigningCredentials = new SigningCredentials(_backendKey, SecurityAlgorithms.RsaSha384),
        });
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
