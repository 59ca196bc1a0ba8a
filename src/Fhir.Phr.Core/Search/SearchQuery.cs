using System.Globalization;
using Fhir.Phr.Core.Errors;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Core.Search;

public enum SearchHandling
{
    Lenient,
    Strict,
}

public enum TotalMode
{
    Accurate,
    Estimate,
    None,
}

/// <summary>One value of a criterion: R4 search.html#prefix plus the raw text.</summary>
public sealed record CriterionValue(string Prefix, string Raw);

/// <summary>
/// One search criterion: a parameter, its modifier and its comma-separated (OR) values, or a
/// chain (<c>subject:Patient.name=x</c>) or reverse chain (<c>_has:...</c>) whose inner
/// criterion applies to other resources.
/// </summary>
public sealed record Criterion(SearchParameterInfo Parameter, string? Modifier, IReadOnlyList<CriterionValue> Values)
{
    /// <summary>For a chained parameter: the target type and the criterion on it.</summary>
    public (string TargetType, Criterion Inner)? Chain { get; init; }

    /// <summary>For _has: the referring type, its reference parameter, and the criterion on it.</summary>
    public (string ReferringType, string ReferenceParam, Criterion Inner)? ReverseChain { get; init; }
}

public sealed record SortKey(SearchParameterInfo Parameter, bool Descending);

public sealed record IncludeSpec(string SourceType, string Param, string? TargetType, bool Iterate, bool Reverse);

/// <summary>A parsed search: criteria (ANDed), result parameters and paging state.</summary>
public sealed record SearchQuery(string ResourceType)
{
    public List<Criterion> Criteria { get; } = [];

    public List<SortKey> Sort { get; } = [];

    public List<IncludeSpec> Includes { get; } = [];

    public int Count { get; set; } = SearchQueryParser.DefaultCount;

    public int Offset { get; set; }

    /// <summary>The instant a paged search reads at, so that pages stay consistent while others write.</summary>
    public DateTime? Snapshot { get; set; }

    public TotalMode Total { get; set; } = TotalMode.Accurate;

    public string? Summary { get; set; }

    public IReadOnlyList<string>? Elements { get; set; }

    /// <summary>Parameters that were not understood (lenient handling drops them; the self link omits them).</summary>
    public List<string> Ignored { get; } = [];

    /// <summary>The understood parameters, to build self/next/previous links.</summary>
    public List<KeyValuePair<string, string>> Echo { get; } = [];
}

/// <summary>Parses search parameters (R4 search.html) into a <see cref="SearchQuery"/>.</summary>
public sealed class SearchQueryParser(SearchParameterRegistry registry)
{
    public const int DefaultCount = 20;
    public const int MaxCount = 1000;

    private static readonly string[] Prefixes = ["eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap"];

    // Result and format parameters that are not criteria (search.html#return, http.html#parameters).
    private static readonly HashSet<string> Ignorable = ["_format", "_pretty", "_summary", "_elements", "_count", "_sort", "_include", "_revinclude", "_total", "_offset", "_snapshot", "_contained", "_containedType"];

    /// <summary>A literal value for a token or string criterion: \, | and , escaped (search.html#escaping).</summary>
    public static string EscapeValue(string? value) =>
        (value ?? "").Replace("\\", "\\\\", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal).Replace(",", "\\,", StringComparison.Ordinal);

    public SearchQuery Parse(string type, IEnumerable<KeyValuePair<string, string>> parameters, SearchHandling handling)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var query = new SearchQuery(type);
        foreach (var (rawName, value) in parameters)
        {
            var name = rawName.Trim();
            if (name.Length == 0)
                continue;
            switch (name)
            {
                case "_count":
                    query.Count = Math.Clamp(ParseInt(name, value), 0, MaxCount);
                    break;
                case "_offset":
                    query.Offset = Math.Max(0, ParseInt(name, value));
                    break;
                case "_snapshot":
                    query.Snapshot = FhirDateRange.TryParse(value, out var at) ? at.Low : throw FhirProblem.BadRequest($"_snapshot '{value}' is not an instant.", "_snapshot");
                    break;
                case "_total":
                    query.Total = value switch
                    {
                        "accurate" => TotalMode.Accurate,
                        "estimate" => TotalMode.Estimate,
                        "none" => TotalMode.None,
                        _ => throw FhirProblem.BadRequest($"_total={value} is not one of none, estimate, accurate.", "_total"),
                    };
                    break;
                case "_summary":
                    query.Summary = value;
                    break;
                case "_elements":
                    query.Elements = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    break;
                case "_sort":
                    ParseSort(query, value, handling);
                    break;
                case "_include":
                case "_include:iterate":
                case "_include:recurse":
                case "_revinclude":
                case "_revinclude:iterate":
                case "_revinclude:recurse":
                    ParseInclude(query, name, value, handling);
                    break;
                case "_format":
                case "_pretty":
                    continue;
                default:
                    if (ParseCriterion(type, name, value, handling) is { } criterion)
                        query.Criteria.Add(criterion);
                    else
                    {
                        query.Ignored.Add(name);
                        continue;
                    }
                    break;
            }
            if (!Ignorable.Contains(name) || name is "_sort" or "_include" or "_revinclude" or "_include:iterate" or "_revinclude:iterate" or "_total" or "_summary" or "_elements")
                query.Echo.Add(new(name, value));
        }
        if (query.Summary == "count")
            query.Count = 0;
        return query;
    }

    private static int ParseInt(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw FhirProblem.BadRequest($"{name} must be a non-negative integer, not '{value}'.", name);

    private void ParseSort(SearchQuery query, string value, SearchHandling handling)
    {
        foreach (var key in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var descending = key.StartsWith('-');
            var code = descending ? key[1..] : key;
            var parameter = registry.Find(query.ResourceType, code);
            if (parameter is null)
            {
                Unknown(handling, $"Unknown _sort parameter '{code}' for {query.ResourceType}.", "_sort");
                continue;
            }
            query.Sort.Add(new SortKey(parameter, descending));
        }
    }

    private void ParseInclude(SearchQuery query, string name, string value, SearchHandling handling)
    {
        var reverse = name.StartsWith("_revinclude", StringComparison.Ordinal);
        var iterate = name.EndsWith(":iterate", StringComparison.Ordinal) || name.EndsWith(":recurse", StringComparison.Ordinal);
        if (value == "*")
        {
            if (!reverse)
                foreach (var parameter in registry.For(query.ResourceType).Where(p => p.Type == SearchParamType.Reference))
                    query.Includes.Add(new IncludeSpec(query.ResourceType, parameter.Code, null, iterate, reverse));
            return;
        }
        var parts = value.Split(':');
        if (parts.Length is < 2 or > 3)
            throw FhirProblem.BadRequest($"{name}={value} must be Type:param or Type:param:TargetType (search.html#include).", name);
        var parameterInfo = registry.Find(parts[0], parts[1]);
        if (parameterInfo is null || parameterInfo.Type != SearchParamType.Reference)
        {
            Unknown(handling, $"{name}={value}: {parts[0]} has no reference parameter '{parts[1]}'.", name);
            return;
        }
        query.Includes.Add(new IncludeSpec(parts[0], parts[1], parts.Length == 3 ? parts[2] : null, iterate, reverse));
    }

    private static void Unknown(SearchHandling handling, string message, string expression)
    {
        if (handling == SearchHandling.Strict)
            throw FhirProblem.BadRequest(message + " (Prefer: handling=strict)", expression);
    }

    internal Criterion? ParseCriterion(string type, string name, string value, SearchHandling handling)
    {
        if (name.StartsWith("_has:", StringComparison.Ordinal))
            return ParseHas(type, name, value, handling);

        string code = name, rest = "";
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0)
        {
            code = name[..dot];
            rest = name[(dot + 1)..];
        }
        string? modifier = null;
        var colon = code.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0)
        {
            modifier = code[(colon + 1)..];
            code = code[..colon];
        }

        var parameter = registry.Find(type, code);
        if (parameter is null)
        {
            Unknown(handling, $"Unknown search parameter '{code}' for {type}.", name);
            return null;
        }

        if (rest.Length > 0)
        {
            if (parameter.Type != SearchParamType.Reference)
                throw FhirProblem.BadRequest($"'{code}' is not a reference parameter and cannot be chained.", name);
            var targets = modifier is not null ? [modifier] : parameter.Targets.Where(registry.IsSupportedType).ToArray();
            if (targets.Length != 1)
                throw FhirProblem.BadRequest($"Chained parameter '{name}' is ambiguous: name the target type, e.g. {code}:{string.Join("|", targets)}.{rest}.", name);
            if (!registry.IsSupportedType(targets[0]))
                throw FhirProblem.BadRequest($"Chaining into {targets[0]} is not supported: this server stores {string.Join(", ", SearchParameterRegistry.SupportedTypes)}.", name);
            if (rest.Contains('.', StringComparison.Ordinal))
                throw FhirProblem.BadRequest("Only one level of chaining is supported.", name);
            var inner = ParseCriterion(targets[0], rest, value, SearchHandling.Strict)!;
            return new Criterion(parameter, null, []) { Chain = (targets[0], inner) };
        }

        ValidateModifier(parameter, modifier, name);
        var values = SplitValues(value).Select(v => ParseValue(parameter, modifier, v, name)).ToList();
        if (values.Count == 0)
            return null;
        return new Criterion(parameter, modifier, values);
    }

    private Criterion? ParseHas(string type, string name, string value, SearchHandling handling)
    {
        // _has:Type:refParam:innerParam=value (search.html#has)
        var parts = name.Split(':', 4);
        if (parts.Length != 4)
            throw FhirProblem.BadRequest($"'{name}' must be _has:Type:reference:parameter.", name);
        var (referring, referenceParam, innerName) = (parts[1], parts[2], parts[3]);
        if (!registry.IsSupportedType(referring))
        {
            Unknown(handling, $"_has names {referring}, which this server does not store.", name);
            return null;
        }
        var reference = registry.Find(referring, referenceParam);
        if (reference is null || reference.Type != SearchParamType.Reference)
            throw FhirProblem.BadRequest($"{referring} has no reference parameter '{referenceParam}'.", name);
        var inner = ParseCriterion(referring, innerName, value, SearchHandling.Strict)!;
        var self = registry.Find(type, "_id")!;
        return new Criterion(self, null, []) { ReverseChain = (referring, referenceParam, inner) };
    }

    private static IEnumerable<string> SplitValues(string value)
    {
        // Commas separate OR values; "\," is a literal comma (search.html#escaping).
        var current = new System.Text.StringBuilder();
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\' && i + 1 < value.Length && value[i + 1] is ',' or '$' or '|' or '\\')
            {
                if (value[i + 1] != '|')
                {
                    current.Append(value[i + 1]);
                    i++;
                    continue;
                }
                current.Append(value[i]);
                continue;
            }
            if (value[i] == ',')
            {
                if (current.Length > 0)
                    yield return current.ToString();
                current.Clear();
                continue;
            }
            current.Append(value[i]);
        }
        if (current.Length > 0)
            yield return current.ToString();
    }

    private static void ValidateModifier(SearchParameterInfo parameter, string? modifier, string name)
    {
        if (modifier is null or "missing")
            return;
        var allowed = parameter.Type switch
        {
            SearchParamType.String => modifier is "exact" or "contains",
            SearchParamType.Token => modifier is "not" or "text" or "of-type",
            SearchParamType.Reference => registryType(modifier) || modifier is "identifier",
            SearchParamType.Uri => modifier is "below" or "above",
            _ => false,
        };
        if (!allowed)
            throw FhirProblem.BadRequest($"Modifier ':{modifier}' is not supported on {parameter.Type.ToString().ToLowerInvariant()} parameter '{parameter.Code}'.", name);

        static bool registryType(string m) => ModelInfo.IsKnownResource(m);
    }

    private static CriterionValue ParseValue(SearchParameterInfo parameter, string? modifier, string value, string name)
    {
        if (modifier == "missing")
        {
            if (value is not ("true" or "false"))
                throw FhirProblem.BadRequest($"':missing' takes true or false, not '{value}'.", name);
            return new CriterionValue("eq", value);
        }
        if (parameter.Type is SearchParamType.Date or SearchParamType.Number or SearchParamType.Quantity
            && value.Length > 2 && Prefixes.Contains(value[..2]) && !char.IsLetter(value.Length > 2 ? value[2] : '0'))
        {
            var prefixed = new CriterionValue(value[..2], value[2..]);
            Check(parameter, prefixed, name);
            return prefixed;
        }
        var plain = new CriterionValue("eq", value);
        Check(parameter, plain, name);
        return plain;
    }

    private static void Check(SearchParameterInfo parameter, CriterionValue value, string name)
    {
        switch (parameter.Type)
        {
            case SearchParamType.Date when !FhirDateRange.TryParse(value.Raw, out _):
                throw FhirProblem.BadRequest($"'{value.Raw}' is not a FHIR date, dateTime or instant.", name);
            case SearchParamType.Number when !decimal.TryParse(value.Raw, NumberStyles.Float, CultureInfo.InvariantCulture, out _):
                throw FhirProblem.BadRequest($"'{value.Raw}' is not a number.", name);
            case SearchParamType.Quantity when !decimal.TryParse(value.Raw.Split('|')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out _):
                throw FhirProblem.BadRequest($"'{value.Raw}' is not a quantity (number|system|code).", name);
        }
    }
}
