using Fhir.Phr.Core.Access;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Fhir.Phr.Server.Smart;

/// <summary>
/// Which scopes this server knows and grants (SMART App Launch 2.2 scopes-and-launch-context.html).
/// Resource scopes are parsed by Core's one parser (<see cref="SmartScope"/>); a client may be
/// granted a requested resource scope only when one of its registered scopes covers it. Scopes
/// the server does not know are not granted (the token response's <c>scope</c> says what was).
/// </summary>
internal static class SmartScopes
{
    public const string FhirUser = "fhirUser";
    public const string Launch = "launch";
    public const string LaunchPatient = "launch/patient";
    public const string OnlineAccess = "online_access";

    /// <summary>Administration of accounts and clients; only administrators' tokens carry it.</summary>
    public const string Admin = "admin";

    /// <summary>Scopes that are not resource scopes and that this server grants.</summary>
    public static IReadOnlySet<string> Context { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        Scopes.OpenId, FhirUser, Launch, LaunchPatient, Scopes.OfflineAccess, OnlineAccess, Admin,
    };

    /// <summary>Scopes that shape the launch rather than grant data; the consent page shows them without a checkbox.</summary>
    public static IReadOnlySet<string> Required { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        Scopes.OpenId, FhirUser, Launch, LaunchPatient,
    };

    /// <summary>What discovery advertises: the context scopes and the wildcard forms of each context.</summary>
    public static IReadOnlyList<string> Advertised { get; } =
    [
        Scopes.OpenId, FhirUser, Launch, LaunchPatient, Scopes.OfflineAccess, OnlineAccess,
        "patient/*.cruds", "patient/*.rs", "user/*.cruds", "user/*.rs", "system/*.cruds", "system/*.rs",
        "patient/*.read", "patient/*.write", "patient/*.*", "user/*.read", "user/*.write", "user/*.*", "system/*.read", "system/*.*",
    ];

    /// <summary>Whether the client's registered scope <paramref name="allowed"/> covers <paramref name="requested"/>.</summary>
    public static bool Covers(SmartScope allowed, SmartScope requested)
    {
        if (allowed.Context != requested.Context)
            return false;
        if (allowed.ResourceType != "*" && allowed.ResourceType != requested.ResourceType)
            return false;
        if (!requested.Permissions.All(p => allowed.Permissions.Contains(p, StringComparison.Ordinal)))
            return false;
        // A granular registration (e.g. ?category=...) only covers requests narrowed the same way.
        return allowed.Filters.Count == 0 || allowed.Filters.All(f => requested.Filters.Contains(f));
    }

    /// <summary>
    /// The requested scopes that may be granted: known context scopes, and resource scopes
    /// of the allowed contexts that the client's registered scopes cover. Order is kept.
    /// </summary>
    public static List<string> Grantable(IEnumerable<string> requested, IEnumerable<string> registered, IReadOnlySet<ScopeContext> contexts, bool mayAdminister)
    {
        var allowed = registered.Select(s => SmartScope.TryParse(s, out var scope) ? scope : null).OfType<SmartScope>().ToList();
        List<string> granted = [];
        foreach (var scope in requested.Distinct(StringComparer.Ordinal))
        {
            if (scope == Admin)
            {
                if (mayAdminister)
                    granted.Add(scope);
            }
            else if (Context.Contains(scope))
            {
                if (!contexts.Contains(ScopeContext.System))
                    granted.Add(scope);
            }
            else if (SmartScope.TryParse(scope, out var parsed) && contexts.Contains(parsed.Context) && allowed.Any(a => Covers(a, parsed)))
            {
                granted.Add(scope);
            }
        }
        return granted;
    }

    /// <summary>Plain-language text for the consent page.</summary>
    public static string Describe(string scope) => scope switch
    {
        Scopes.OpenId => "Confirm who you are to the app (your account id)",
        FhirUser => "Tell the app which record is yours",
        Launch => "Open with the record chosen where the app was started",
        LaunchPatient => "Work with one patient's record, chosen on this page",
        Scopes.OfflineAccess => "Keep access after you sign out, until you revoke it (up to 30 days at a time)",
        OnlineAccess => "Keep access while you work, for up to a working day",
        Admin => "Manage accounts and registered apps (administrators only)",
        _ => SmartScope.TryParse(scope, out var parsed) ? parsed.Describe() : scope,
    };
}
