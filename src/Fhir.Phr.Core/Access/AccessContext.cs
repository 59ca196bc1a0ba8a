using System.Net;
using Fhir.Phr.Core.Errors;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Core.Access;

public enum AccessAction
{
    Create,
    Read,
    Update,
    Delete,
    Search,
}

/// <summary>What an account reaches through <c>user/</c> scopes, and the attributes of its key.</summary>
public sealed record AccountReach(IReadOnlySet<string> Readable, IReadOnlySet<string> Writable, IReadOnlySet<string> Attributes);

/// <summary>
/// Who is asking and what they may do: one scoped object per request that every access
/// decision goes through. Requests from the host's own background work (seeding, jobs) carry
/// no caller and are <see cref="IsOpen"/>; every HTTP request to the data is authenticated by
/// the host, and its SMART scopes are enforced here (SMART App Launch 2.2,
/// scopes-and-launch-context.html): the scope must grant the action on the type, and the
/// resource must belong to a patient the scope reaches — the launch patient for
/// <c>patient/</c>, the patients the user may see for <c>user/</c>, everyone for <c>system/</c>.
/// </summary>
public sealed class AccessContext
{
    private List<SmartScope>? _scopes;
    private IReadOnlySet<string> _userReadable = new HashSet<string>();
    private IReadOnlySet<string> _userWritable = new HashSet<string>();

    /// <summary>True while no caller was authenticated: the host's own work.</summary>
    public bool IsOpen => _scopes is null;

    public Caller? Caller { get; private set; }

    public string? Subject => Caller?.Subject;

    public string? PatientContext => Caller?.Patient;

    /// <summary>
    /// The CP-ABE attributes the caller's key is issued for: the host's own work and system
    /// scopes hold the system role; users hold their own record's owner attribute and the share
    /// and break-glass attributes of what they were given.
    /// </summary>
    public IReadOnlySet<string> Attributes { get; private set; } = SystemAttributes;

    private static readonly IReadOnlySet<string> SystemAttributes = new HashSet<string> { Fhir.Phr.Protection.RecordPolicy.SystemAttribute };

    /// <summary>
    /// Sets the caller and what its account reaches: the patients it may see and change through
    /// <c>user/</c> scopes (its own record, shares, break-glass) and its CP-ABE attributes.
    /// Prefer <see cref="AccessAuthenticator"/>, which works them out from the stored shares.
    /// </summary>
    public void Authenticate(Caller caller, AccountReach reach)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(reach);
        Caller = caller;
        _userReadable = reach.Readable;
        _userWritable = reach.Writable;
        Attributes = reach.Attributes;
        _scopes = [];
        foreach (var text in caller.Scopes)
        {
            if (SmartScope.TryParse(text, out var scope))
                _scopes.Add(scope);
        }
    }

    /// <summary>Whether some granted scope allows the action on the type (for some patient).</summary>
    public bool Allows(AccessAction action, string resourceType) =>
        _scopes is null || _scopes.Any(s => s.Grants(resourceType, Letter(action)));

    /// <summary>Throws a 403 OperationOutcome when no granted scope allows the action on the type.</summary>
    public void Demand(AccessAction action, string resourceType)
    {
        if (!Allows(action, resourceType))
            throw FhirProblem.Of(HttpStatusCode.Forbidden, OperationOutcome.IssueType.Forbidden, $"The granted scopes do not allow {action.ToString().ToLowerInvariant()} on {resourceType}.");
    }

    /// <summary>
    /// The patients whose resources of this type the caller may act on: null when it is not
    /// limited (open, or a system scope), otherwise the union of what each granting scope reaches.
    /// Resources that belong to no patient are reached only without a limit.
    /// </summary>
    public IReadOnlySet<string>? Reach(AccessAction action, string resourceType)
    {
        if (_scopes is null)
            return null;
        var letter = Letter(action);
        HashSet<string> reach = [];
        foreach (var scope in _scopes)
        {
            if (!scope.Grants(resourceType, letter))
                continue;
            switch (scope.Context)
            {
                case ScopeContext.System:
                    return null;
                case ScopeContext.Patient when PatientContext is { } patient:
                    reach.Add(patient);
                    break;
                case ScopeContext.User:
                    reach.UnionWith(letter is 'r' or 's' ? _userReadable : _userWritable);
                    break;
            }
        }
        return reach;
    }

    /// <summary>
    /// Whether the action on a resource of the type owned by <paramref name="owner"/> (a Patient
    /// id, or null) is within reach. Granular scope filters are checked on the content separately.
    /// </summary>
    public bool Allows(AccessAction action, string resourceType, string? owner)
    {
        var reach = Reach(action, resourceType);
        return reach is null || (owner is not null && reach.Contains(owner));
    }

    /// <summary>
    /// The query filters (v2 granular scopes such as <c>?category=...</c>) that limit the action on
    /// the type: empty when some granting scope has none; otherwise each entry is one scope's
    /// filters, and a resource must match all filters of at least one entry.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<(string Name, string Value)>> Filters(AccessAction action, string resourceType)
    {
        if (_scopes is null)
            return [];
        var letter = Letter(action);
        var granting = _scopes.Where(s => s.Grants(resourceType, letter)).ToList();
        if (granting.Count == 0 || granting.Any(s => s.Filters.Count == 0))
            return [];
        return granting.Select(s => s.Filters).ToList();
    }

    internal static char Letter(AccessAction action) => action switch
    {
        AccessAction.Create => 'c',
        AccessAction.Read => 'r',
        AccessAction.Update => 'u',
        AccessAction.Delete => 'd',
        _ => 's',
    };
}
