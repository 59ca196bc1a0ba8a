using System.Diagnostics.CodeAnalysis;

namespace Fhir.Phr.Core.Access;

/// <summary>Whose data a SMART resource scope reaches (scopes-and-launch-context.html).</summary>
public enum ScopeContext
{
    /// <summary><c>patient/</c>: the patient in the launch context only.</summary>
    Patient,

    /// <summary><c>user/</c>: whatever the signed-in user may see.</summary>
    User,

    /// <summary><c>system/</c>: a backend service, no user.</summary>
    System,
}

/// <summary>
/// One SMART resource scope, v1 (<c>patient/Patient.read</c>, <c>user/*.*</c>) or v2
/// (<c>patient/Patient.rs</c>, <c>user/DocumentReference.cruds?category=...</c>), normalised to
/// the v2 permission letters. SMART App Launch 2.2 scopes-and-launch-context.html: v2
/// permissions are a non-empty subset of <c>cruds</c> in that order; v1 <c>read</c> means
/// <c>rs</c>, <c>write</c> means <c>cud</c> and <c>*</c> means all.
/// </summary>
public sealed record SmartScope(ScopeContext Context, string ResourceType, string Permissions, IReadOnlyList<(string Name, string Value)> Filters, bool IsV1)
{
    private const string AllPermissions = "cruds";

    /// <summary>Parses a resource scope; false for other scopes (openid, launch, offline_access...) and malformed ones.</summary>
    public static bool TryParse(string? scope, [NotNullWhen(true)] out SmartScope? result)
    {
        result = null;
        if (string.IsNullOrEmpty(scope))
            return false;
        var slash = scope.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0)
            return false;
        ScopeContext? context = scope[..slash] switch
        {
            "patient" => ScopeContext.Patient,
            "user" => ScopeContext.User,
            "system" => ScopeContext.System,
            _ => null,
        };
        if (context is null)
            return false;
        var rest = scope[(slash + 1)..];
        var query = rest.IndexOf('?', StringComparison.Ordinal);
        var filtersText = query >= 0 ? rest[(query + 1)..] : null;
        if (query >= 0)
            rest = rest[..query];
        var dot = rest.LastIndexOf('.');
        if (dot <= 0 || dot == rest.Length - 1)
            return false;
        var type = rest[..dot];
        if (type != "*" && !IsResourceTypeName(type))
            return false;
        var permissionText = rest[(dot + 1)..];
        var isV1 = permissionText is "read" or "write" or "*";
        var permissions = permissionText switch
        {
            "read" => "rs",
            "write" => "cud",
            "*" => AllPermissions,
            _ => IsOrderedSubset(permissionText) ? permissionText : null,
        };
        if (permissions is null)
            return false;
        List<(string, string)> filters = [];
        if (filtersText is not null)
        {
            // Query filters are a v2 feature and narrow a concrete type.
            if (isV1 || filtersText.Length == 0)
                return false;
            foreach (var pair in filtersText.Split('&'))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0 || equals == pair.Length - 1)
                    return false;
                filters.Add((Uri.UnescapeDataString(pair[..equals]), Uri.UnescapeDataString(pair[(equals + 1)..])));
            }
        }
        result = new SmartScope(context.Value, type, permissions, filters, isV1);
        return true;
    }

    /// <summary>Whether this scope covers the type and grants the permission letter (c, r, u, d or s).</summary>
    public bool Grants(string resourceType, char permission) =>
        (ResourceType == "*" || ResourceType == resourceType) && Permissions.Contains(permission, StringComparison.Ordinal);

    /// <summary>The scope as text, v2 form (<c>patient/Patient.rs</c>).</summary>
    public override string ToString()
    {
        var text = $"{Context.ToString().ToLowerInvariant()}/{ResourceType}.{Permissions}";
        return Filters.Count == 0 ? text : text + "?" + string.Join('&', Filters.Select(f => Uri.EscapeDataString(f.Name) + "=" + Uri.EscapeDataString(f.Value)));
    }

    /// <summary>Plain-language description for consent pages, e.g. "read and search your documents".</summary>
    public string Describe()
    {
        var verbs = new List<string>();
        foreach (var (letter, verb) in new[] { ('c', "create"), ('r', "read"), ('u', "update"), ('d', "delete"), ('s', "search") })
        {
            if (Permissions.Contains(letter, StringComparison.Ordinal))
                verbs.Add(verb);
        }
        var what = ResourceType switch
        {
            "*" => "all records",
            "Patient" => "demographics (name, birth date, contact details)",
            "DocumentReference" => "documents",
            "ImagingStudy" => "imaging studies (X-rays and other images)",
            "Binary" => "attached files",
            _ => ResourceType + " records",
        };
        var whose = Context switch
        {
            ScopeContext.Patient => "of the selected patient",
            ScopeContext.User => "that you can see",
            _ => "of every patient (system access)",
        };
        var text = $"{JoinVerbs(verbs)} {what} {whose}";
        if (Filters.Count > 0)
            text += " where " + string.Join(" and ", Filters.Select(f => $"{f.Name} is {f.Value}"));
        return char.ToUpperInvariant(text[0]) + text[1..];
    }

    private static string JoinVerbs(List<string> verbs) =>
        verbs.Count == 1 ? verbs[0] : string.Join(", ", verbs.Take(verbs.Count - 1)) + " and " + verbs[^1];

    private static bool IsOrderedSubset(string letters)
    {
        var at = 0;
        foreach (var letter in letters)
        {
            var found = AllPermissions.IndexOf(letter, at);
            if (found < 0)
                return false;
            at = found + 1;
        }
        return letters.Length > 0;
    }

    private static bool IsResourceTypeName(string type) =>
        type.Length > 0 && char.IsAsciiLetterUpper(type[0]) && type.All(char.IsAsciiLetter);
}
