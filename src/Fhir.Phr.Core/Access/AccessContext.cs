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

/// <summary>
/// Who is asking and what they may do: one scoped object per request that every access
/// decision goes through. Until accounts and SMART (#6) land, requests carry no token and the
/// context is <see cref="IsOpen"/>; once scopes are set, they are enforced here with SMART
/// App Launch 2.2 semantics (v1 <c>read/write/*</c> and v2 <c>cruds</c> permissions).
/// </summary>
public sealed class AccessContext
{
    private List<(string Context, string Type, string Permissions)>? _scopes;

    /// <summary>True while no scopes were granted: the pre-SMART open server.</summary>
    public bool IsOpen => _scopes is null;

    public string? Subject { get; private set; }

    public string? PatientContext { get; private set; }

    /// <summary>Sets the caller from a validated token: its subject, granted scopes and patient context.</summary>
    public void Authenticate(string subject, IEnumerable<string> scopes, string? patientContext)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        Subject = subject;
        PatientContext = patientContext;
        _scopes = [];
        foreach (var scope in scopes)
        {
            // context/Type.permissions, e.g. patient/Patient.rs or user/*.read (SMART scopes-and-launch-context).
            var slash = scope.IndexOf('/', StringComparison.Ordinal);
            var dot = scope.LastIndexOf('.');
            if (slash <= 0 || dot <= slash)
                continue;
            var permissions = scope[(dot + 1)..].Split('?')[0];
            _scopes.Add((scope[..slash], scope[(slash + 1)..dot], permissions));
        }
    }

    /// <summary>Whether the caller's scopes allow the action on the type.</summary>
    public bool Allows(AccessAction action, string resourceType)
    {
        if (_scopes is null)
            return true;
        var letter = action switch
        {
            AccessAction.Create => 'c',
            AccessAction.Read => 'r',
            AccessAction.Update => 'u',
            AccessAction.Delete => 'd',
            _ => 's',
        };
        return _scopes.Any(s => (s.Type == "*" || s.Type == resourceType) && Grants(s.Permissions, letter));
    }

    /// <summary>Throws a 403 OperationOutcome when the caller's scopes do not allow the action.</summary>
    public void Demand(AccessAction action, string resourceType)
    {
        if (!Allows(action, resourceType))
            throw FhirProblem.Of(HttpStatusCode.Forbidden, OperationOutcome.IssueType.Forbidden, $"The granted scopes do not allow {action.ToString().ToLowerInvariant()} on {resourceType}.");
    }

    private static bool Grants(string permissions, char letter) => permissions switch
    {
        "*" => true,
        "read" => letter is 'r' or 's',
        "write" => letter is 'c' or 'u' or 'd',
        _ => permissions.Contains(letter, StringComparison.Ordinal),
    };
}
