using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Fhir.Phr.Server.Tests.Smart;

/// <summary>
/// SMART's own JavaScript client (fhirclient 2.6.3) in Debian's headless Chromium, driven by
/// playwright-core (tests/browser), performs a standalone launch against the server running on
/// Kestrel in its own process: sign-in page, consent, token, a read of the patient's own Patient
/// and a refused read of another patient's. Needs node, chromium and <c>npm ci</c> in
/// tests/browser (.ci/run installs them); without them the test fails, it does not skip.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class BrowserLaunchTests
{
    [Fact]
    public async Task FhirClientInChromium_StandaloneLaunch_ReadsOwnRecordAndIsRefusedAnother()
    {
        var root = FindRepositoryRoot();
        var browserDirectory = Path.Combine(root, "tests", "browser");
        var chromium = Environment.GetEnvironmentVariable("CHROMIUM") ?? "/usr/bin/chromium";
        Assert.True(File.Exists(chromium), $"Chromium is not installed at {chromium} (apt-get install chromium).");
        Assert.True(Directory.Exists(Path.Combine(browserDirectory, "node_modules", "fhirclient")), $"Run 'npm ci' in {browserDirectory} first.");
        var dataDirectory = Path.Combine(Path.GetTempPath(), "phr-browser-" + Guid.NewGuid().ToString("N"));
        var serverPort = FreePort();
        var appPort = FreePort();
        var fhirBase = $"http://127.0.0.1:{serverPort}";
        // The server in its own process on Kestrel, as it is deployed (a second host in this
        // process would share Hangfire's static logging with the test server's).
        using var server = StartServer(root, fhirBase, dataDirectory);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(fhirBase) };
            await WaitUntilListeningAsync(http, server);
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await AdminTokenAsync(http, dataDirectory));
            var redirect = $"http://127.0.0.1:{appPort}/index.html";
            var client = await PostAsync(http, "/admin/clients", new { client_name = "fhirclient in Chromium", redirect_uris = new[] { redirect }, token_endpoint_auth_method = "none", scope = "patient/*.rs user/*.rs" });
            var user = await CreatePatientUserAsync(http);
            var other = await CreatePatientUserAsync(http);

            var (exitCode, output) = await RunNodeAsync(browserDirectory, new Dictionary<string, string>
            {
                ["FHIR_BASE"] = fhirBase,
                ["CLIENT_ID"] = client.GetProperty("client_id").GetString()!,
                ["APP_PORT"] = appPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["PHR_USERNAME"] = user.UserName,
                ["PHR_PASSWORD"] = SmartHarness.Password,
                ["OTHER_PATIENT"] = other.PatientId,
                ["CHROMIUM"] = chromium,
            });

            var line = output.Split('\n').LastOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
            Assert.True(line is not null, "the browser script printed no result:\n" + output);
            var result = JsonDocument.Parse(line["RESULT ".Length..]).RootElement;
            Assert.True(exitCode == 0, $"the browser script failed ({exitCode}):\n{output}");
            Assert.Equal(["login page", "consent page", "back in the app"], result.GetProperty("steps").EnumerateArray().Select(s => s.GetString()).ToArray());
            Assert.Equal(user.PatientId, result.GetProperty("patient").GetString());
            Assert.Equal("Patient", result.GetProperty("resourceType").GetString());
            Assert.Equal(user.PatientId, result.GetProperty("ownId").GetString());
            Assert.Matches("^refused (403|404)$", result.GetProperty("other").GetString());
            Assert.EndsWith("Patient/" + user.PatientId, result.GetProperty("fhirUser").GetString());
            Assert.True(result.GetProperty("hasIdToken").GetBoolean());
            Assert.Equal("bearer", result.GetProperty("tokenType").GetString()!.ToLowerInvariant());
        }
        finally
        {
            if (!server.HasExited)
                server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Left for the OS to clean.
            }
        }
    }

    /// <summary>The server build of the same configuration as these tests (Debug or Release), run with dotnet.</summary>
    private static Process StartServer(string root, string url, string dataDirectory)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var dll = Path.Combine(root, "src", "Fhir.Phr.Server", "bin", configuration, "net10.0", "Fhir.Phr.Server.dll");
        Assert.True(File.Exists(dll), $"The server is not built at {dll}.");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { dll, "--urls", url, $"--Phr:DataDirectory={dataDirectory}", "--Logging:LogLevel:Default=Warning" })
            start.ArgumentList.Add(argument);
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitUntilListeningAsync(HttpClient http, Process server)
    {
        // Start-up migrates and warms the FHIR validator; on a busy machine that takes a while.
        for (var attempt = 0; attempt < 600; attempt++)
        {
            Assert.False(server.HasExited, $"The server exited with {(server.HasExited ? server.ExitCode : 0)} while starting.");
            try
            {
                using var response = await http.GetAsync(new Uri("/metadata", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(500);
        }
        throw new TimeoutException("The server did not start listening in five minutes.");
    }

    private static async Task<string> AdminTokenAsync(HttpClient http, string dataDirectory)
    {
        using var file = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(dataDirectory, "admin-client.json")));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/auth/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["scope"] = "system/*.cruds admin" }),
        };
        request.Headers.Authorization = SmartHarness.Basic(file.RootElement.GetProperty("client_id").GetString()!, file.RootElement.GetProperty("client_secret").GetString()!);
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        return body.GetProperty("access_token").GetString()!;
    }

    private static async Task<(string UserName, string PatientId)> CreatePatientUserAsync(HttpClient http)
    {
        var userName = TestData.Unique("browser");
        var body = await PostAsync(http, "/admin/users", new
        {
            userName,
            email = userName + "@example.org",
            password = SmartHarness.Password,
            patient = new { given = "Browser", family = TestData.Unique("Fam"), birthDate = "1966-06-06", gender = "male" },
        });
        return (userName, body.GetProperty("fhirUser").GetString()!["Patient/".Length..]);
    }

    private static async Task<JsonElement> PostAsync(HttpClient http, string path, object value)
    {
        using var response = await http.PostAsJsonAsync(path, value);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{path}: {(int)response.StatusCode} {body}");
        return body;
    }

    private static async Task<(int ExitCode, string Output)> RunNodeAsync(string directory, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("node", "standalone-launch.mjs")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in environment)
            start.Environment[key] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start (apt-get install nodejs).");
        var output = new StringBuilder();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("The browser launch did not finish in 4 minutes:\n" + await stdout + await stderr);
        }
        output.Append(await stdout).Append(await stderr);
        return (process.ExitCode, output.ToString());
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "tests", "browser", "package.json")))
                return directory.FullName;
        }
        throw new DirectoryNotFoundException("tests/browser (with package.json) was not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>The browser test runs its own server process; its own collection lets it run beside the in-process server's tests.</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection
{
    public const string Name = "browser";
}
