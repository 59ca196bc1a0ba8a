using Hl7.Fhir.Model;
using Hl7.Fhir.Specification.Source;

namespace Fhir.Phr.Core.Search;

/// <summary>Loads the Resource-level search parameters (_id, _lastUpdated, ...) from the R4 specification package.</summary>
public static class SpecificationSearchParameters
{
    public static IReadOnlyList<SearchParameter> Load(CachedResolver resolver)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        string[] names = ["id", "lastUpdated", "tag", "profile", "security", "source"];
        var result = new List<SearchParameter>();
        foreach (var name in names)
        {
            var url = "http://hl7.org/fhir/SearchParameter/Resource-" + name;
            var definition = resolver.TryResolveByCanonicalUriAsync(url).GetAwaiter().GetResult().Value as SearchParameter
                ?? throw new InvalidOperationException($"The R4 specification package lacks {url}.");
            result.Add(definition);
        }
        return result;
    }
}
