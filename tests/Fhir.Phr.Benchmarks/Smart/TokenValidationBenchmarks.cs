extern alias server;

using BenchmarkDotNet.Attributes;
using Fhir.Phr.Core;
using Fhir.Phr.Core.Access;
using server::Fhir.Phr.Server.Accounts;
using server::Fhir.Phr.Server.Smart;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Validation;
using OpenIddict.Validation.AspNetCore;

namespace Fhir.Phr.Benchmarks.Smart;

/// <summary>
/// What a bearer token adds to every FHIR request: the server's authentication middleware and
/// the validation the FHIR policy runs (OpenIddict validation: parse, decrypt A256KW +
/// A256CBC-HS512, verify RS256, check issuer, audience, lifetime) plus mapping the claims to
/// Core's <see cref="Caller"/>, with the server's own service registrations and keys. The
/// baseline runs the same pipeline for a request without a token; the difference is the cost of
/// the token. With <see cref="CheckRevocation"/> the token's database entry is also read
/// (Phr:Smart:ValidateTokenEntries). Core's AccessAuthenticator (grants lookup) is not included:
/// it is Core's cost, not the token's.
/// </summary>
[MemoryDiagnoser]
public class TokenValidationBenchmarks
{
    private SmartBenchmarkServer _server = null!;
    private ServiceProvider _services = null!;
    private RequestDelegate _pipeline = null!;
    private string _header = null!;
    private string _token = null!;
    private TokenValidationParameters _parameters = null!;

    [Params(false, true)]
    public bool CheckRevocation { get; set; }

    /// <summary>False measures a token's first use (or the server without the cache): the full cryptography every time.</summary>
    [Params(true, false)]
    public bool TokenCache { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _server = await SmartBenchmarkServer.StartAsync();
        _token = await _server.ClientCredentialsTokenAsync("system/*.rs");
        _header = "Bearer " + _token;
        var keys = SmartKeys.LoadOrCreate(Path.Combine(_server.DataDirectory, "oauth-keys.json"));
        _parameters = new TokenValidationParameters
        {
            ValidIssuer = _server.BaseAddress.AbsoluteUri,
            ValidAudience = SmartSetup.FhirAudience,
            ValidTypes = ["at+jwt"],
            IssuerSigningKey = keys.Signing,
            TokenDecryptionKey = keys.Encryption,
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Phr:DataDirectory"] = _server.DataDirectory,
            ["Phr:Smart:ValidateTokenEntries"] = CheckRevocation ? "true" : "false",
        }).Build();
        var options = configuration.GetSection(PhrOptions.Section).Get<PhrOptions>()!;
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddFhirCore(options);
        services.AddAccounts(configuration, options);
        services.AddSmart(configuration, options);
        if (!TokenCache)
        {
            services.Configure<OpenIddictValidationOptions>(validation => validation.Handlers.RemoveAll(handler =>
                handler.ServiceDescriptor.ServiceType.DeclaringType == typeof(ValidatedTokenCache)));
        }
        _services = services.BuildServiceProvider();
        // UseAuthentication as in the server (OpenIddict's handlers join the request there), then
        // what the FHIR authorization policy and FhirCallerMiddleware do with the bearer token.
        var app = new ApplicationBuilder(_services);
        app.UseAuthentication();
        app.Run(async http =>
        {
            var result = await http.AuthenticateAsync(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme);
            http.Items[typeof(Caller)] = result.Succeeded ? FhirCallerMiddleware.ToCaller(result.Principal) : null;
        });
        _pipeline = app.Build();
        if (await RunAsync(_header) is null)
            throw new InvalidOperationException("The token does not validate; the benchmark would measure a failure.");
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    [Benchmark(Baseline = true)]
    public Task<Caller?> WithoutToken() => RunAsync(null);

    [Benchmark]
    public Task<Caller?> ValidTokenToCaller() => RunAsync(_header);

    /// <summary>The cryptography alone (IdentityModel: decrypt, verify, check claims), what the cache saves.</summary>
    [Benchmark]
    public async Task<bool> IdentityModelOnly()
    {
        var result = await _handler.ValidateTokenAsync(_token, _parameters);
        return result.IsValid ? true : throw new InvalidOperationException("invalid: " + result.Exception?.Message);
    }

    private readonly JsonWebTokenHandler _handler = new();

    private async Task<Caller?> RunAsync(string? authorization)
    {
        await using var scope = _services.CreateAsyncScope();
        var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        http.Request.Scheme = "http";
        http.Request.Host = new HostString("127.0.0.1", _server.Port);
        http.Request.Method = HttpMethods.Get;
        http.Request.Path = "/Patient/example";
        if (authorization is not null)
            http.Request.Headers.Authorization = authorization;
        await _pipeline(http);
        return http.Items[typeof(Caller)] as Caller;
    }
}
