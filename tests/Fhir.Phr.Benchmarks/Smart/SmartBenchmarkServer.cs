extern alias server;

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using server::Fhir.Phr.Server.Smart;

namespace Fhir.Phr.Benchmarks.Smart;

/// <summary>
/// The real server (its own entry point, Release build, SQLite in a fresh data directory) on a
/// loopback port, started once per benchmark process; plus the administrator credentials it wrote.
/// </summary>
internal sealed class SmartBenchmarkServer
{
    private static readonly SemaphoreSlim StartLock = new(1, 1);
    private static SmartBenchmarkServer? _instance;

    private SmartBenchmarkServer(string dataDirectory, int port)
    {
        DataDirectory = dataDirectory;
        Port = port;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
        Http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = BaseAddress };
    }

    public string DataDirectory { get; }

    public int Port { get; }

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    public string TokenUrl => new Uri(BaseAddress, SmartEndpoints.Token).AbsoluteUri;

    public static async Task<SmartBenchmarkServer> StartAsync()
    {
        await StartLock.WaitAsync();
        try
        {
            if (_instance is not null)
                return _instance;
            var directory = Path.Combine(Path.GetTempPath(), "phr-bench-smart-" + Guid.NewGuid().ToString("N"));
            var port = FreePort();
            var server = new SmartBenchmarkServer(directory, port);
            var entry = typeof(SmartSetup).Assembly.EntryPoint ?? throw new InvalidOperationException("The server has no entry point.");
            // Long-lived backend tokens, so that one token outlasts a benchmark run.
            string[] args = [$"--urls=http://127.0.0.1:{port}", $"--Phr:DataDirectory={directory}", "--Logging:LogLevel:Default=Warning", "--Phr:Smart:BackendAccessTokenLifetime=03:00:00"];
            _ = Task.Run(() => entry.Invoke(null, [args]) is Task run ? run : Task.CompletedTask);
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    using var response = await server.Http.GetAsync(new Uri("/metadata", UriKind.Relative));
                    if (response.IsSuccessStatusCode)
                        break;
                }
                catch (HttpRequestException) when (attempt < 600)
                {
                    // Still starting (schema, validator warm-up).
                }
                await Task.Delay(500);
            }
            return _instance = server;
        }
        finally
        {
            StartLock.Release();
        }
    }

    public (string ClientId, string Secret) AdminClient()
    {
        using var file = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(DataDirectory, "admin-client.json")));
        return (file.RootElement.GetProperty("client_id").GetString()!, file.RootElement.GetProperty("client_secret").GetString()!);
    }

    /// <summary>client_credentials with client_secret_basic, as the README's curl does.</summary>
    public async Task<string> ClientCredentialsTokenAsync(string scope)
    {
        var (clientId, secret) = AdminClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, SmartEndpoints.Token)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["scope"] = scope }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(clientId + ":" + secret)));
        using var response = await Http.SendAsync(request);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (response.StatusCode != HttpStatusCode.OK)
            throw new InvalidOperationException("token request failed: " + body);
        return body.GetProperty("access_token").GetString()!;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
