using System.Net.Http.Headers;
using Hl7.Fhir.Rest;
using Microsoft.AspNetCore.Mvc.Testing;
using Npgsql;

namespace Fhir.Phr.Server.Tests;

/// <summary>
/// One in-process server for the whole collection: the validator and FHIR definitions load
/// once. SQLite in a fresh data directory by default; PostgreSQL when PHR_TEST_POSTGRES holds
/// a connection string to a server (a fresh database is created for the run).
/// </summary>
public sealed class FhirServerFixture : IAsyncLifetime
{
    private WebApplicationFactory<Program>? _factory;
    private string? _postgresDatabase;
    private string? _postgresAdmin;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "phr-tests-" + Guid.NewGuid().ToString("N"));

    public bool IsPostgres => _postgresDatabase is not null;

    public WebApplicationFactory<Program> Factory => _factory ?? throw new InvalidOperationException("Not started.");

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(DataDirectory);
        var settings = new Dictionary<string, string?>
        {
            ["Phr:DataDirectory"] = DataDirectory,
            // The README's --seed folder, so the samples are proven loadable on every run.
            ["Phr:Seed"] = Path.Combine(AppContext.BaseDirectory, "sample-data", "fhir"),
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
        });
        // Starts the host (schema, validator warm-up) before the first test.
        using var client = _factory.CreateClient();
        using var response = await client.GetAsync(new Uri("/metadata", UriKind.Relative));
        response.EnsureSuccessStatusCode();
    }

    public HttpClient Http()
    {
        var client = Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/fhir+json"));
        return client;
    }

    public FhirClient Fhir(FhirClientSettings? settings = null)
    {
        settings ??= new FhirClientSettings { PreferredFormat = ResourceFormat.Json, VerifyFhirVersion = false, ReturnPreference = ReturnPreference.Representation };
        return new FhirClient(Factory.Server.BaseAddress, Factory.Server.CreateClient(), settings);
    }

    public async ValueTask DisposeAsync()
    {
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

[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<FhirServerFixture>
{
    public const string Name = "server";
}
