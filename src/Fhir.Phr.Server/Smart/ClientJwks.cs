using System.Collections.Concurrent;
using Microsoft.IdentityModel.Tokens;

namespace Fhir.Phr.Server.Smart;

/// <summary>
/// Fetches backend clients' JWK Sets from their registered <c>jwks_uri</c>: only from hosts on
/// <see cref="SmartOptions.AllowedJwksHosts"/>, over HTTPS (HTTP only for loopback hosts), at most
/// 64 KiB, with a short timeout, and cached for five minutes so that key rotation is picked up
/// without fetching on every token request.
/// </summary>
internal sealed partial class ClientJwks(IHttpClientFactory http, SmartOptions options, TimeProvider time, ILogger<ClientJwks> logger)
{
    public const string HttpClientName = "smart-jwks";
    private const int MaxBytes = 64 * 1024;
    private static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<string, (JsonWebKeySet Keys, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);

    /// <summary>Whether a JWK Set may be fetched from this URL at all (checked at registration and at use).</summary>
    public bool IsAllowed(string url, out string reason)
    {
        reason = "";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !string.IsNullOrEmpty(uri.Fragment))
        {
            reason = "jwks_uri must be an absolute URL without a fragment.";
            return false;
        }
        if (uri.Scheme != Uri.UriSchemeHttps && !(uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback))
        {
            reason = "jwks_uri must use https.";
            return false;
        }
        if (!options.AllowedJwksHosts.Contains(uri.Host, StringComparer.OrdinalIgnoreCase))
        {
            reason = $"JWK Sets are not fetched from {uri.Host}; the host must be on Phr:Smart:AllowedJwksHosts.";
            return false;
        }
        return true;
    }

    /// <summary>The JWK Set at the URL, or null when it is not allowed or cannot be fetched and parsed.</summary>
    public async Task<JsonWebKeySet?> GetAsync(string url, CancellationToken cancellationToken)
    {
        if (!IsAllowed(url, out var reason))
        {
            LogRefused(logger, url, reason);
            return null;
        }
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(url, out var cached) && cached.Until > now)
            return cached.Keys;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            using var client = http.CreateClient(HttpClientName);
            using var response = await client.GetAsync(new Uri(url), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            response.EnsureSuccessStatusCode();
            if (response.Content.Headers.ContentLength > MaxBytes)
                throw new InvalidDataException($"The JWK Set is larger than {MaxBytes} bytes.");
            await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
            var buffer = new byte[MaxBytes + 1];
            var length = 0;
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(length), timeout.Token)) > 0)
            {
                length += read;
                if (length > MaxBytes)
                    throw new InvalidDataException($"The JWK Set is larger than {MaxBytes} bytes.");
            }
            var keys = new JsonWebKeySet(System.Text.Encoding.UTF8.GetString(buffer, 0, length));
            _cache[url] = (keys, now + CacheFor);
            return keys;
        }
        catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException or InvalidDataException or ArgumentException)
        {
            LogFetchFailed(logger, exception, url);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused to fetch a client JWK Set from {Url}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string url, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not fetch a client JWK Set from {Url}")]
    private static partial void LogFetchFailed(ILogger logger, Exception exception, string url);
}
