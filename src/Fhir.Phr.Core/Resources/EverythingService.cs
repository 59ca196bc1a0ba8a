using Fhir.Phr.Core.Search;

namespace Fhir.Phr.Core.Resources;

/// <summary>
/// Patient/[id]/$everything (R4 patient-operation-everything.html): the patient, every stored
/// resource in its compartment (by the types' subject reference parameter), within the caller's access.
/// </summary>
public sealed class EverythingService(ResourceService resources, SearchQueryParser parser, SearchService search)
{
    private static readonly (string Type, string Param)[] Compartment =
    [
        ("DocumentReference", "subject"),
        ("ImagingStudy", "subject"),
    ];

    public async Task<IReadOnlyList<StoredResource>> EverythingAsync(string patientId, DateTime? since, CancellationToken cancellationToken)
    {
        var patient = await resources.ReadAsync("Patient", patientId, cancellationToken);
        var result = new List<StoredResource> { patient };
        foreach (var (type, param) in Compartment)
        {
            var parameters = new List<KeyValuePair<string, string>> { new(param, "Patient/" + patientId) };
            if (since is { } s)
                parameters.Add(new("_lastUpdated", "ge" + s.ToString("o", System.Globalization.CultureInfo.InvariantCulture)));
            var query = parser.Parse(type, parameters, SearchHandling.Strict);
            query.Count = SearchQueryParser.MaxCount;
            query.Total = TotalMode.None;
            var page = await search.SearchAsync(query, cancellationToken);
            result.AddRange(page.Matches);
        }
        return result;
    }
}
