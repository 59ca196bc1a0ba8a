using Fhir.Phr.Core.Search;
using Fhir.Phr.Core.Storage;

namespace Fhir.Phr.Core.Access;

/// <summary>Works out whose patient record a resource belongs to, from its references.</summary>
public static class RecordOwner
{
    // The Patient compartment's membership parameters for our types (compartmentdefinition-patient.html):
    // DocumentReference and ImagingStudy are in it through "patient" (subject as a Patient) and "subject".
    private static readonly string[] CompartmentParams = ["patient", "subject"];

    /// <summary>The Patient id named by the extracted compartment references, or null.</summary>
    public static string? FromIndex(IEnumerable<IndexValue> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var list = values as IReadOnlyList<IndexValue> ?? values.ToList();
        foreach (var param in CompartmentParams)
        {
            var match = list.FirstOrDefault(v => v.Kind == IndexKind.Reference && v.Param == param && v.RefType == "Patient" && !string.IsNullOrEmpty(v.RefId));
            if (match is not null)
                return match.RefId;
        }
        return null;
    }

    /// <summary>
    /// (type, id) of a literal reference: <c>Type/id</c>, <c>Type/id/_history/n</c> or an absolute
    /// URL ending in them; (null, null) for anything else (contained, conditional, urn:).
    /// </summary>
    public static (string? Type, string? Id) ParseReference(string? reference)
    {
        if (string.IsNullOrEmpty(reference) || reference.StartsWith('#') || reference.Contains('?', StringComparison.Ordinal) || reference.StartsWith("urn:", StringComparison.Ordinal))
            return (null, null);
        var segments = reference.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var n = segments.Length;
        if (n >= 4 && segments[n - 2] == "_history")
            n -= 2;
        if (n < 2)
            return (null, null);
        var type = segments[n - 2];
        var id = segments[n - 1];
        return type.Length > 0 && char.IsAsciiLetterUpper(type[0]) && Resources.ResourceService.IsValidId(id) ? (type, id) : (null, null);
    }
}
