namespace Fhir.Phr.Server.Smart;

/// <summary>SMART on FHIR / OAuth settings, bound from <c>Phr:Smart</c>.</summary>
internal sealed class SmartOptions
{
    public const string Section = "Phr:Smart";

    /// <summary>
    /// The issuer and FHIR base URL (e.g. <c>https://phr.example.org/</c>). When unset, the
    /// request's own base URL is used, which suits one host name; set it behind a proxy or when
    /// several host names reach the server, so that tokens carry one stable issuer.
    /// </summary>
    public Uri? Issuer { get; set; }

    /// <summary>Lifetime of access tokens issued to apps (user-facing launches).</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Lifetime of access tokens issued to backend services (backend-services.html recommends 5 minutes).</summary>
    public TimeSpan BackendAccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Lifetime of refresh tokens granted with <c>offline_access</c>.</summary>
    public TimeSpan OfflineRefreshTokenLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Lifetime of refresh tokens granted with <c>online_access</c> (a working day).</summary>
    public TimeSpan OnlineRefreshTokenLifetime { get; set; } = TimeSpan.FromHours(10);

    /// <summary>How long a minted EHR <c>launch</c> value stays redeemable.</summary>
    public TimeSpan LaunchLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Hosts (exact, case-insensitive) from which client JWK Sets may be fetched by URL
    /// (<c>jwks_uri</c>, <c>jku</c>). Empty: only inline JWK Sets are accepted.
    /// </summary>
    public List<string> AllowedJwksHosts { get; } = [];

    /// <summary>
    /// Check each access token against the token table on every FHIR request, so that a revoked
    /// token stops working at once instead of at its expiry. Costs a database read per request.
    /// </summary>
    public bool ValidateTokenEntries { get; set; }

    /// <summary>Where the first-start administrator client's credentials are written; defaults to <c>&lt;data&gt;/admin-client.json</c>.</summary>
    public string? AdminClientFile { get; set; }

    /// <summary>Where the token signing and encryption keys live; defaults to <c>&lt;data&gt;/oauth-keys.json</c>.</summary>
    public string? KeysFile { get; set; }

    /// <summary>
    /// The base URL put into emailed links and the admin credentials file (with a trailing
    /// slash): the issuer, or else the first listening URL. Never the request's Host header, which
    /// a caller chooses (password-reset links would otherwise point wherever an attacker likes).
    /// </summary>
    public string LinkBase { get; private set; } = "http://localhost:8080/";

    public void ResolveLinkBase(IConfiguration configuration)
    {
        if (Issuer is not null)
        {
            LinkBase = Issuer.AbsoluteUri.EndsWith('/') ? Issuer.AbsoluteUri : Issuer.AbsoluteUri + "/";
            return;
        }
        var url = (configuration["urls"] ?? configuration["ASPNETCORE_URLS"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        if (string.IsNullOrEmpty(url))
            return;
        url = url.Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal).Replace("://+", "://localhost", StringComparison.Ordinal)
            .Replace("://*", "://localhost", StringComparison.Ordinal).Replace("://[::]", "://localhost", StringComparison.Ordinal);
        LinkBase = url.TrimEnd('/') + "/";
    }
}
