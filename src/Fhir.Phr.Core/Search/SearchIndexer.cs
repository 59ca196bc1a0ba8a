using System.Globalization;
using Hl7.Fhir.FhirPath;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Fhir.Phr.Core.Storage;

namespace Fhir.Phr.Core.Search;

/// <summary>
/// Extracts search values from a resource by evaluating each parameter's FHIRPath expression
/// (R4 search.html, searchparameter-registry.html) and converting what it selects according
/// to the parameter type and the element's data type.
/// </summary>
public sealed class SearchIndexer(SearchParameterRegistry registry)
{
    public IReadOnlyList<IndexValue> Extract(Resource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var values = new List<IndexValue>();
        var root = resource.ToPocoNode();
        var context = new FhirEvaluationContext { ElementResolver = ResolveStub };
        foreach (var parameter in registry.For(resource.TypeName))
        {
            if (parameter.Compiled is null)
                continue;
            IEnumerable<PocoNode> selected;
            try
            {
                selected = parameter.Compiled.Invoke([root], context).ToList();
            }
            catch (InvalidOperationException)
            {
                // An expression the SDK cannot evaluate on this instance indexes nothing, like HAPI.
                continue;
            }
            foreach (var node in selected)
                AddValues(values, parameter, node.Poco);
        }
        return values;
    }

    // resolve() in expressions such as "subject.where(resolve() is Patient)" only needs the
    // referenced type, which the reference string itself tells.
    private static PocoNode? ResolveStub(string reference)
    {
        var identity = new ResourceIdentity(reference);
        if (identity.ResourceType is null || !ModelInfo.IsKnownResource(identity.ResourceType))
            return null;
        var type = ModelInfo.GetTypeForFhirType(identity.ResourceType);
        if (type is null || Activator.CreateInstance(type) is not Resource stub)
            return null;
        stub.Id = identity.Id;
        return stub.ToPocoNode();
    }

    private static void AddValues(List<IndexValue> values, SearchParameterInfo parameter, Base? value)
    {
        if (value is null)
            return;
        var code = parameter.Code;
        var identifying = parameter.Identifying;
        switch (parameter.Type)
        {
            case SearchParamType.String:
                foreach (var text in StringsOf(value))
                {
                    if (code == Phonetic.ParameterCode)
                        values.AddRange(Phonetic.Keys(text).Select(key => new IndexValue(code, IndexKind.String) { Text = key, Identifying = identifying, WholeValue = true }));
                    else
                        values.Add(new IndexValue(code, IndexKind.String) { Text = text, Identifying = identifying });
                }
                break;
            case SearchParamType.Token:
                values.AddRange(TokensOf(code, value).Select(v => v with { Identifying = identifying }));
                break;
            case SearchParamType.Date:
                if (DateRangeOf(value) is { } range)
                    values.Add(new IndexValue(code, IndexKind.Date) { Low = range.Low, High = range.High, Identifying = identifying });
                break;
            case SearchParamType.Reference:
                if (ReferenceOf(code, value) is { } reference)
                    values.Add(reference);
                break;
            case SearchParamType.Uri:
                if (value is PrimitiveType { JsonValue: not null } uri)
                    values.Add(new IndexValue(code, IndexKind.Uri) { Text = uri.ToString() });
                break;
            case SearchParamType.Number:
                if (NumberOf(value) is { } number)
                    values.Add(new IndexValue(code, IndexKind.Number) { Number = number });
                break;
            case SearchParamType.Quantity:
                if (value is Quantity { Value: { } amount } quantity)
                    values.Add(new IndexValue(code, IndexKind.Quantity) { Number = amount, System = quantity.System, Code = quantity.Code ?? quantity.Unit });
                break;
        }
    }

    private static IEnumerable<string> StringsOf(Base value)
    {
        switch (value)
        {
            case HumanName name:
                foreach (var part in new[] { name.Family, name.Text }.Concat(name.Given).Concat(name.Prefix).Concat(name.Suffix))
                    if (!string.IsNullOrWhiteSpace(part))
                        yield return part;
                break;
            case Address address:
                foreach (var part in address.Line.Concat([address.City, address.District, address.State, address.PostalCode, address.Country, address.Text]))
                    if (!string.IsNullOrWhiteSpace(part))
                        yield return part;
                break;
            case PrimitiveType { JsonValue: not null } primitive:
                yield return primitive.ToString()!;
                break;
        }
    }

    private static IEnumerable<IndexValue> TokensOf(string code, Base value)
    {
        switch (value)
        {
            case Coding coding:
                yield return new IndexValue(code, IndexKind.Token) { System = coding.System, Code = coding.Code, Text = coding.Display };
                break;
            case CodeableConcept concept:
                foreach (var coding in concept.Coding)
                    yield return new IndexValue(code, IndexKind.Token) { System = coding.System, Code = coding.Code, Text = coding.Display ?? concept.Text };
                if (concept.Coding.Count == 0 && concept.Text is not null)
                    yield return new IndexValue(code, IndexKind.Token) { Text = concept.Text };
                break;
            case Identifier identifier:
                yield return new IndexValue(code, IndexKind.Token) { System = identifier.System, Code = identifier.Value, Text = identifier.Type?.Text };
                break;
            case ContactPoint contact:
                yield return new IndexValue(code, IndexKind.Token) { System = contact.System?.ToString().ToLowerInvariant(), Code = contact.Value };
                break;
            case FhirBoolean boolean when boolean.Value is { } b:
                yield return new IndexValue(code, IndexKind.Token) { Code = b ? "true" : "false" };
                break;
            case PrimitiveType { JsonValue: not null } primitive:
                // A bare code's system is implied by its binding; without terminology it stays
                // empty, so `code` and `|code` searches match it (search.html#token).
                yield return new IndexValue(code, IndexKind.Token) { Code = primitive.ToString() };
                break;
        }
    }

    private static FhirDateRange? DateRangeOf(Base value)
    {
        switch (value)
        {
            case Date d when FhirDateRange.TryParse(d.Value, out var r):
                return r;
            case FhirDateTime dt when FhirDateRange.TryParse(dt.Value, out var r):
                return r;
            case Instant { Value: { } instant }:
                var utc = instant.UtcDateTime;
                return new FhirDateRange(utc, utc);
            case Period period:
                var low = FhirDateRange.TryParse(period.Start, out var s) ? s.Low : FhirDateRange.MinValue;
                var high = FhirDateRange.TryParse(period.End, out var e) ? e.High : FhirDateRange.MaxValue;
                return period.Start is null && period.End is null ? null : new FhirDateRange(low, high);
            case PrimitiveType { JsonValue: not null } other when FhirDateRange.TryParse(other.ToString(), out var r):
                return r;
            default:
                return null;
        }
    }

    private static IndexValue? ReferenceOf(string code, Base value)
    {
        switch (value)
        {
            case ResourceReference { Reference: { } reference } when !reference.StartsWith('#'):
                var identity = new ResourceIdentity(reference);
                if (identity.ResourceType is null || identity.Id is null)
                    return new IndexValue(code, IndexKind.Reference) { Text = reference };
                return new IndexValue(code, IndexKind.Reference)
                {
                    RefType = identity.ResourceType,
                    RefId = identity.Id,
                    // Absolute references keep their URL so that a search by the full URL can match.
                    Text = identity.IsRestResourceIdentity() && reference.Contains("://", StringComparison.Ordinal) ? reference : null,
                };
            case Canonical { Value: { } canonical }:
                return new IndexValue(code, IndexKind.Reference) { Text = canonical };
            case FhirUri { Value: { } uri }:
                return new IndexValue(code, IndexKind.Reference) { Text = uri };
            default:
                return null;
        }
    }

    private static decimal? NumberOf(Base value) => value switch
    {
        FhirDecimal { Value: { } d } => d,
        Integer { Value: { } i } => i,
        UnsignedInt { Value: { } u } => u,
        PositiveInt { Value: { } p } => p,
        PrimitiveType { JsonValue: not null } other when decimal.TryParse(other.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) => n,
        _ => null,
    };
}
