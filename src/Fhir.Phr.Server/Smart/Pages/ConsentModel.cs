namespace Fhir.Phr.Server.Smart.Pages;

/// <summary>What the consent page shows: the app, the scopes in plain language, and the patients to choose from.</summary>
public sealed record ConsentModel
{
    public required string Action { get; init; }

    public required string ClientName { get; init; }

    public required string ClientId { get; init; }

    /// <summary>Where the browser goes next (the redirect URI's host), so that the user sees who receives the answer.</summary>
    public required string RedirectHost { get; init; }

    public required string UserName { get; init; }

    /// <summary>The authorization request, posted back unchanged with the decision.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Parameters { get; init; }

    public required IReadOnlyList<ConsentScope> Scopes { get; init; }

    /// <summary>Requested scopes that will not be granted (unknown, or not registered for this app).</summary>
    public required IReadOnlyList<string> NotGranted { get; init; }

    /// <summary>Patients to pick from (standalone launch with launch/patient); empty when no choice is needed.</summary>
    public required IReadOnlyList<ConsentPatient> Patients { get; init; }

    /// <summary>The EHR launch's patient, described.</summary>
    public string? LaunchPatient { get; init; }

    public required string AntiforgeryField { get; init; }

    public required string AntiforgeryToken { get; init; }
}

/// <summary>A scope as the consent page lists it; required ones have no checkbox.</summary>
public sealed record ConsentScope(string Value, string Description, bool Required);

public sealed record ConsentPatient(string Id, string Description);

/// <summary>The consent form's own fields (besides the authorization request it posts back).</summary>
public static class AuthorizationFields
{
    public const string Decision = "decision";
    public const string GrantedScope = "granted_scope";
    public const string Patient = "selected_patient";
}
