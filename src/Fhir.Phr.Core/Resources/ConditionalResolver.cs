using System.Net;
using Fhir.Phr.Core.Errors;
using Fhir.Phr.Core.Search;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Core.Resources;

/// <summary>
/// Resolves search criteria of conditional interactions (http.html#cond-update, #ccreate,
/// #cdelete) and conditional references in transactions (http.html#trules) to stored resources.
/// </summary>
public sealed class ConditionalResolver(SearchQueryParser parser, SearchService search)
{
    /// <summary>Up to two matches: enough to tell none, one and many apart.</summary>
    public async Task<IReadOnlyList<StoredResource>> FindAsync(string type, string criteria, CancellationToken cancellationToken, int limit = 2)
    {
        var parameters = ParseQueryString(criteria);
        if (parameters.Count == 0)
            throw FhirProblem.BadRequest($"Conditional criteria for {type} are empty; give search parameters, e.g. identifier=system|value.");
        // Unknown parameters would widen the match to everything: always strict here.
        var query = parser.Parse(type, parameters, SearchHandling.Strict);
        query.Count = limit;
        query.Total = TotalMode.None;
        return (await search.SearchAsync(query, cancellationToken)).Matches;
    }

    /// <summary>Resolves "Type?criteria" to exactly one resource or fails with 412 / 404.</summary>
    public async Task<StoredResource> ResolveReferenceAsync(string conditionalReference, CancellationToken cancellationToken)
    {
        var question = conditionalReference.IndexOf('?', StringComparison.Ordinal);
        var type = conditionalReference[..question];
        var matches = await FindAsync(type, conditionalReference[(question + 1)..], cancellationToken);
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw FhirProblem.Of(HttpStatusCode.NotFound, OperationOutcome.IssueType.NotFound, $"The conditional reference '{conditionalReference}' matches no resource."),
            _ => throw FhirProblem.Of(HttpStatusCode.PreconditionFailed, OperationOutcome.IssueType.MultipleMatches, $"The conditional reference '{conditionalReference}' matches more than one resource."),
        };
    }

    public static List<KeyValuePair<string, string>> ParseQueryString(string query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var result = new List<KeyValuePair<string, string>>();
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? pair : pair[..equals];
            var value = equals < 0 ? "" : pair[(equals + 1)..];
            result.Add(new(Uri.UnescapeDataString(name.Replace('+', ' ')), Uri.UnescapeDataString(value.Replace('+', ' '))));
        }
        return result;
    }
}
