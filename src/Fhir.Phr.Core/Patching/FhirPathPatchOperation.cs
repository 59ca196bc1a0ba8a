using Hl7.Fhir.Model;

namespace Fhir.Phr.Core.Patching;

/// <summary>The five operation types of FHIRPath Patch (fhirpatch.html, operation table).</summary>
internal enum FhirPathPatchOperationType
{
    Add,
    Insert,
    Delete,
    Replace,
    Move,
}

/// <summary>
/// One "operation" parameter of a FHIRPath Patch, with its parts read and checked against the
/// operation table of fhirpatch.html: which parts each type requires and which it does not allow.
/// </summary>
internal sealed class FhirPathPatchOperation
{
    private static readonly HashSet<string> KnownParts = new(StringComparer.Ordinal) { "type", "path", "name", "value", "index", "source", "destination" };

    private FhirPathPatchOperation(int index, FhirPathPatchOperationType type, string path)
    {
        Index = index;
        Type = type;
        Path = path;
    }

    /// <summary>0-based position of the operation in the Parameters resource.</summary>
    public int Index { get; }

    public FhirPathPatchOperationType Type { get; }

    public string TypeName => Type.ToString().ToLowerInvariant();

    /// <summary>The FHIRPath expression of the "path" part.</summary>
    public string Path { get; }

    /// <summary>The "name" part (add only).</summary>
    public string? Name { get; private init; }

    /// <summary>The whole "value" part (add, insert, replace): valueX, resource, or nested parts for an anonymous type.</summary>
    public Parameters.ParameterComponent? Value { get; private init; }

    /// <summary>The "index" part (insert).</summary>
    public int? InsertIndex { get; private init; }

    /// <summary>The "source" part (move).</summary>
    public int? Source { get; private init; }

    /// <summary>The "destination" part (move).</summary>
    public int? Destination { get; private init; }

    /// <summary>Reads one operation parameter; returns the reason when it is malformed.</summary>
    public static FhirPathPatchOperation? TryRead(Parameters.ParameterComponent parameter, int index, out string error)
    {
        error = string.Empty;
        var parts = new Dictionary<string, Parameters.ParameterComponent>(StringComparer.Ordinal);
        foreach (var part in parameter.Part)
        {
            var name = part.Name;
            if (string.IsNullOrEmpty(name) || !KnownParts.Contains(name))
            {
                error = $"unknown part '{name}'; the parts of an operation are {string.Join(", ", KnownParts)}";
                return null;
            }

            if (!parts.TryAdd(name, part))
            {
                error = $"part '{name}' appears more than once";
                return null;
            }
        }

        if (!TryGetString(parts, "type", out var typeText))
        {
            error = "part 'type' (a code: add | insert | delete | replace | move) is required";
            return null;
        }

        FhirPathPatchOperationType type;
        switch (typeText)
        {
            case "add": type = FhirPathPatchOperationType.Add; break;
            case "insert": type = FhirPathPatchOperationType.Insert; break;
            case "delete": type = FhirPathPatchOperationType.Delete; break;
            case "replace": type = FhirPathPatchOperationType.Replace; break;
            case "move": type = FhirPathPatchOperationType.Move; break;
            default:
                error = $"unknown operation type '{typeText}'; expected add, insert, delete, replace or move";
                return null;
        }

        if (!TryGetString(parts, "path", out var path) || string.IsNullOrWhiteSpace(path))
        {
            error = "part 'path' (a FHIRPath expression as valueString) is required";
            return null;
        }

        // Which parts each type takes, from the fhirpatch.html operation table.
        string[] required = type switch
        {
            FhirPathPatchOperationType.Add => ["name", "value"],
            FhirPathPatchOperationType.Insert => ["index", "value"],
            FhirPathPatchOperationType.Replace => ["value"],
            FhirPathPatchOperationType.Move => ["source", "destination"],
            _ => [],
        };
        foreach (var name in required)
        {
            if (!parts.ContainsKey(name))
            {
                error = $"part '{name}' is required for a {typeText} operation";
                return null;
            }
        }

        foreach (var name in parts.Keys)
        {
            if (name is not ("type" or "path") && !required.Contains(name, StringComparer.Ordinal))
            {
                error = $"part '{name}' is not allowed for a {typeText} operation";
                return null;
            }
        }

        string? elementName = null;
        if (parts.ContainsKey("name") && (!TryGetString(parts, "name", out elementName) || string.IsNullOrWhiteSpace(elementName)))
        {
            error = "part 'name' must be a non-empty valueString";
            return null;
        }

        int? insertIndex = null, source = null, destination = null;
        if ((parts.ContainsKey("index") && !TryGetIndex(parts, "index", out insertIndex, out error))
            || (parts.ContainsKey("source") && !TryGetIndex(parts, "source", out source, out error))
            || (parts.ContainsKey("destination") && !TryGetIndex(parts, "destination", out destination, out error)))
        {
            return null;
        }

        parts.TryGetValue("value", out var value);
        if (value is not null && value.Value is null && value.Resource is null && value.Part.Count == 0)
        {
            error = "part 'value' has no content: give a value[x], a resource, or parts for an anonymous (backbone) type";
            return null;
        }

        return new FhirPathPatchOperation(index, type, path)
        {
            Name = elementName,
            Value = value,
            InsertIndex = insertIndex,
            Source = source,
            Destination = destination,
        };
    }

    private static bool TryGetString(Dictionary<string, Parameters.ParameterComponent> parts, string name, out string value)
    {
        // Accept any string-valued primitive (valueCode, valueString, ...): the type is the meaning, not the wire type.
        if (parts.TryGetValue(name, out var part) && part.Value is PrimitiveType { JsonValue: string s })
        {
            value = s;
            return true;
        }

        value = string.Empty;
        return false;
    }

    private static bool TryGetIndex(Dictionary<string, Parameters.ParameterComponent> parts, string name, out int? value, out string error)
    {
        error = string.Empty;
        value = parts[name].Value is PrimitiveType { JsonValue: int i } ? i : null;
        if (value is null || value < 0)
        {
            error = $"part '{name}' must be a non-negative valueInteger";
            return false;
        }

        return true;
    }
}
