using System.Collections.Frozen;
using Hl7.Fhir.Model;
using Hl7.Fhir.FhirPath;
using Hl7.FhirPath;
using Hl7.FhirPath.Expressions;

namespace Fhir.Phr.Core.Search;

/// <summary>One search parameter the server supports, with its compiled FHIRPath expression.</summary>
public sealed record SearchParameterInfo(
    string ResourceType,
    string Code,
    SearchParamType Type,
    string Url,
    string? Expression,
    IReadOnlyList<string> Targets,
    string? Description,
    CompiledExpression? Compiled)
{
    /// <summary>
    /// Its values identify a person (names, addresses, telecom, identifiers, the birth date), so
    /// they are stored blind or coarse (architecture.md "Search over ciphertext").
    /// </summary>
    public bool Identifying => Type is SearchParamType.String or SearchParamType.Token or SearchParamType.Date
        && Expression is { } expression && SearchParameterRegistry.PersonDataPath().IsMatch(expression);
}

/// <summary>
/// The search parameters of the stored resource types, taken from the R4 specification's own
/// definitions (ModelInfo.SearchParameters and the spec's Resource-level parameters) plus the
/// SearchParameter resources in profiles/. Nothing is listed by hand, so the CapabilityStatement,
/// the indexer and the query parser can never disagree.
/// </summary>
public sealed partial class SearchParameterRegistry
{
    /// <summary>The resource types this server stores.</summary>
    public static readonly IReadOnlyList<string> SupportedTypes = ["Patient", "DocumentReference", "ImagingStudy", "Binary", "AuditEvent"];

    // R4 resource.html#search: parameters every resource has. Their definitions live in the spec
    // package rather than ModelInfo, so they come from the same spec zip the validator reads.
    private static readonly string[] CommonParameterUrls =
    [
        "http://hl7.org/fhir/SearchParameter/Resource-id",
        "http://hl7.org/fhir/SearchParameter/Resource-lastUpdated",
        "http://hl7.org/fhir/SearchParameter/Resource-tag",
        "http://hl7.org/fhir/SearchParameter/Resource-profile",
        "http://hl7.org/fhir/SearchParameter/Resource-security",
        "http://hl7.org/fhir/SearchParameter/Resource-source",
    ];

    private readonly FrozenDictionary<string, FrozenDictionary<string, SearchParameterInfo>> _byType;

    public SearchParameterRegistry(IEnumerable<SearchParameter> commonDefinitions, IEnumerable<SearchParameter> profileDefinitions)
    {
        ArgumentNullException.ThrowIfNull(commonDefinitions);
        ArgumentNullException.ThrowIfNull(profileDefinitions);
        // FHIR's FHIRPath functions (resolve(), extension(), ...) on top of the standard ones.
        var compiler = new FhirPathCompiler(new SymbolTable().AddStandardFP().AddFhirExtensions());
        var common = commonDefinitions.Where(d => CommonParameterUrls.Contains(d.Url)).ToList();
        var byType = new Dictionary<string, FrozenDictionary<string, SearchParameterInfo>>();
        foreach (var type in SupportedTypes)
        {
            var parameters = new Dictionary<string, SearchParameterInfo>(StringComparer.Ordinal);
            foreach (var definition in common)
                Add(parameters, FromResource(type, definition, compiler));
            foreach (var definition in ModelInfo.SearchParameters.Where(p => p.Resource == type && p.Type != SearchParamType.Composite && p.Type != SearchParamType.Special))
            {
                Add(parameters, new SearchParameterInfo(
                    type,
                    definition.Code ?? definition.Name ?? "",
                    definition.Type,
                    definition.Url ?? "",
                    definition.Expression,
                    (definition.Target ?? []).Select(t => t.ToString()).ToArray(),
                    definition.Description?.Value,
                    string.IsNullOrEmpty(definition.Expression) ? null : compiler.Compile(ForType(type, definition.Expression))));
            }
            foreach (var definition in profileDefinitions.Where(d => d.Base.Any(b => b?.ToString() == type || b?.ToString() == "Resource")))
                Add(parameters, FromResource(type, definition, compiler));
            byType[type] = parameters.ToFrozenDictionary(StringComparer.Ordinal);
        }
        _byType = byType.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static void Add(Dictionary<string, SearchParameterInfo> parameters, SearchParameterInfo parameter) =>
        parameters[parameter.Code] = parameter;

    private static SearchParameterInfo FromResource(string type, SearchParameter definition, FhirPathCompiler compiler)
    {
        if (definition.Type is null)
            throw new InvalidOperationException($"SearchParameter {definition.Url} has no type.");
        return new SearchParameterInfo(
            type,
            definition.Code ?? throw new InvalidOperationException($"SearchParameter {definition.Url} has no code."),
            definition.Type.Value,
            definition.Url ?? "",
            definition.Expression,
            definition.Target.Select(t => t?.ToString() ?? "").Where(t => t.Length > 0).ToArray(),
            definition.Description,
            string.IsNullOrEmpty(definition.Expression) ? null : compiler.Compile(ForType(type, definition.Expression)));
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\.(name|address|telecom|identifier|masterIdentifier|birthDate)\b")]
    internal static partial System.Text.RegularExpressions.Regex PersonDataPath();

    // Spec expressions list every type that shares a parameter ("Patient.name | Person.name | ...").
    // Only the branches of the type being indexed can select anything, so the rest are dropped
    // before compiling: a third of the indexing time otherwise.
    internal static string ForType(string type, string expression)
    {
        var branches = expression.Split(" | ");
        if (branches.Length == 1 || branches.Any(b => b.Count(c => c == '(') != b.Count(c => c == ')')))
            return expression;
        var kept = branches.Where(b => !StartsWithResourceType(b.TrimStart('(')) || b.TrimStart('(').StartsWith(type + ".", StringComparison.Ordinal) || b.TrimStart('(') == type).ToList();
        return kept.Count == 0 ? expression : string.Join(" | ", kept);
    }

    private static bool StartsWithResourceType(string branch)
    {
        var end = branch.IndexOfAny(['.', ' ', ')']);
        return ModelInfo.IsKnownResource(end < 0 ? branch : branch[..end]);
    }

    public bool IsSupportedType(string type) => _byType.ContainsKey(type);

    public IReadOnlyCollection<SearchParameterInfo> For(string type) =>
        _byType.TryGetValue(type, out var parameters) ? parameters.Values : [];

    public SearchParameterInfo? Find(string type, string code) =>
        _byType.TryGetValue(type, out var parameters) && parameters.TryGetValue(code, out var parameter) ? parameter : null;
}
