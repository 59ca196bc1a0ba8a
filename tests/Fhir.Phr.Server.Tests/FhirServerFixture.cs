using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Hl7.Fhir.Rest;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Fhir.Phr.Server.Tests;

/// <summary>
/// One in-process server for the whole collection: the validator and FHIR definitions load
/// once. SQLite in a fresh data directory by default; PostgreSQL when PHR_TEST_POSTGRES holds
/// a connection string to a server (a fresh database is created for the run).
/// <see cref="Http"/> and <see cref="Fhir"/> carry a real access token, obtained the way the
/// README shows: client_credentials with the administrator client from &lt;data&gt;/admin-client.json.
/// </summary>
public sealed class FhirServerFixture : IAsyncLifetime
{
    private readonly SemaphoreSlim _tokenLock = new(1, 1);
    private WebApplicationFactory<Program>? _factory;
    private (string Token, DateTimeOffset Expires)? _adminToken;
    private string? _postgresDatabase;
    private string? _postgresAdmin;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "phr-tests-" + Guid.NewGuid().ToString("N"));

    public bool IsPostgres => _postgresDatabase is not null;

    /// <summary>The server's clock; tests of expiry move it forward and back (server tests run one at a time).</summary>
    public TestClock Clock { get; } = new();

    /// <summary>The web host a backend client publishes its JWK Set on (jwks_uri), as the server's HTTP client sees it.</summary>
    public StubWebHost JwksHost { get; } = new();

    public WebApplicationFactory<Program> Factory => _factory ?? throw new InvalidOperationException("Not started.");

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(DataDirectory);
        var settings = new Dictionary<string, string?>
        {
            ["Phr:DataDirectory"] = DataDirectory,
            // The README's --seed folder, so the samples are proven loadable on every run.
            ["Phr:Seed"] = Path.Combine(AppContext.BaseDirectory, "sample-data", "fhir"),
            ["Phr:Smart:AllowedJwksHosts:0"] = StubWebHost.Host,
        };
        _postgresAdmin = Environment.GetEnvironmentVariable("PHR_TEST_POSTGRES");
        if (!string.IsNullOrEmpty(_postgresAdmin))
        {
            _postgresDatabase = "phr_test_" + Guid.NewGuid().ToString("N")[..12];
            await using (var connection = new NpgsqlConnection(_postgresAdmin))
            {
                await connection.OpenAsync();
                await using var create = new NpgsqlCommand($"CREATE DATABASE {_postgresDatabase}", connection);
                await create.ExecuteNonQueryAsync();
            }
            settings["Phr:Database"] = "PostgreSql";
            settings["Phr:ConnectionString"] = new NpgsqlConnectionStringBuilder(_postgresAdmin) { Database = _postgresDatabase }.ConnectionString;
        }

        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            foreach (var (key, value) in settings)
                web.UseSetting(key, value);
            web.ConfigureServices(services =>
            {
                services.AddSingleton<TimeProvider>(Clock);
                services.AddHttpClient("smart-jwks").ConfigurePrimaryHttpMessageHandler(() => JwksHost);
            });
        });
        // Starts the host (schema, validator warm-up, admin client) before the first test.
        using var client = _factory.CreateClient();
        using var response = await client.GetAsync(new Uri("/metadata", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        await AdminTokenAsync();
    }

    /// <summary>A client that sends the administrator's system/*.cruds token with every request.</summary>
    public HttpClient Http()
    {
        var client = Factory.CreateDefaultClient(Factory.Server.BaseAddress, new AdminTokenHandler(this));
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/fhir+json"));
        return client;
    }

    /// <summary>A client without any token (for the authentication tests), not following redirects.</summary>
    public HttpClient Anonymous() => Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    public FhirClient Fhir(FhirClientSettings? settings = null)
    {
        settings ??= new FhirClientSettings { PreferredFormat = ResourceFormat.Json, VerifyFhirVersion = false, ReturnPreference = ReturnPreference.Representation };
        return new FhirClient(Factory.Server.BaseAddress, Factory.CreateDefaultClient(Factory.Server.BaseAddress, new AdminTokenHandler(this)), settings);
    }

    /// <summary>The administrator client's credentials, as the server wrote them on first start.</summary>
    public (string ClientId, string ClientSecret) AdminClient()
    {
        using var file = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(DataDirectory, "admin-client.json")));
        return (file.RootElement.GetProperty("client_id").GetString()!, file.RootElement.GetProperty("client_secret").GetString()!);
    }

    /// <summary>A token from the token endpoint: client_credentials, client_secret_basic, the given scope (renewed before it expires).</summary>
    public async Task<string> AdminTokenAsync(string scope = "system/*.cruds", CancellationToken cancellationToken = default)
    {
        if (scope != "system/*.cruds")
            return (await RequestAdminTokenAsync(scope, cancellationToken)).Token;
        await _tokenLock.WaitAsync(cancellationToken);
        try
        {
            if (_adminToken is not { } cached || cached.Expires < DateTimeOffset.UtcNow.AddSeconds(30))
                _adminToken = cached = await RequestAdminTokenAsync(scope, cancellationToken);
            return cached.Token;
        }
        finally
        {
            _tokenLock.Release();
        }
    }

    private async Task<(string Token, DateTimeOffset Expires)> RequestAdminTokenAsync(string scope, CancellationToken cancellationToken)
    {
        var (clientId, clientSecret) = AdminClient();
        using var client = Factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/auth/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["scope"] = scope }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(
            Uri.EscapeDataString(clientId) + ":" + Uri.EscapeDataString(clientSecret))));
        using var response = await client.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"The admin token request failed with {(int)response.StatusCode}: {body}");
        return (body.GetProperty("access_token").GetString()!, DateTimeOffset.UtcNow.AddSeconds(body.GetProperty("expires_in").GetInt32()));
    }

    private sealed class AdminTokenHandler(FhirServerFixture fixture) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Authorization ??= new AuthenticationHeaderValue("Bearer", await fixture.AdminTokenAsync(cancellationToken: cancellationToken));
            return await base.SendAsync(request, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _tokenLock.Dispose();
        if (_factory is not null)
            await _factory.DisposeAsync();
        if (_postgresDatabase is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(_postgresAdmin);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_postgresDatabase} WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a background thread is left for the OS to clean.
        }
    }
}

/// <summary>Stands in for an EMR's web server: answers GETs for the documents a test published.</summary>
public sealed class StubWebHost : HttpMessageHandler
{
    public const string Host = "emr.test.example";

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _documents = new();

    public string Publish(string path, string json)
    {
        var url = $"https://{Host}/{path.TrimStart('/')}";
        _documents[url] = json;
        return url;
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Task.FromResult(_documents.TryGetValue(request.RequestUri!.AbsoluteUri, out var json)
            ? new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") }
            : new HttpResponseMessage(System.Net.HttpStatusCode.NotFound));
}

/// <summary>System time plus an offset that a test may set (and must reset).</summary>
public sealed class TestClock : TimeProvider
{
    public TimeSpan Offset { get; set; }

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
}

[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<FhirServerFixture>
{
    public const string Name = "server";
}
