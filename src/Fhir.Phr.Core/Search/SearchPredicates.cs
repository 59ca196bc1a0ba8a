using System.Globalization;
using System.Linq.Expressions;
using Fhir.Phr.Core.Errors;
using Fhir.Phr.Core.Storage;
using Fhir.Phr.Protection;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Core.Search;

/// <summary>
/// Builds the predicate of each criterion over stored rows. Every value predicate has a plain
/// form (rows with <c>Blind == false</c>) and a blind form (HMAC equality or a coarse range).
/// Where the blind form can only narrow (contains, coarse dates, very long prefixes) the
/// criterion is marked for verification on decrypted values, which runs the plain form.
/// </summary>
public sealed class SearchPredicates(IndexProtection protection, TimeProvider time)
{
    public sealed record Built(Expression<Func<ResourceVersion, bool>> Predicate, bool NeedsVerification);

    /// <summary>
    /// The predicate of one criterion. In SQL form (<paramref name="plain"/> false) identifying
    /// parameters compare blind values and positive criteria select ids from the index, so the
    /// (param, value) indexes drive the query. In plain form the same criterion is evaluated on
    /// decrypted, re-extracted values, for verification in memory.
    /// </summary>
    public Built Build(Criterion criterion, IQueryable<ResourceVersion> resources, IQueryable<SearchIndexEntry> index, bool plain = false)
    {
        ArgumentNullException.ThrowIfNull(criterion);
        var code = criterion.Parameter.Code;

        if (criterion.Chain is { } chain)
        {
            var inner = Build(chain.Inner, resources, index);
            var targetType = chain.TargetType;
            var targets = resources.Where(t => t.ResourceType == targetType && t.SupersededAt == null && !t.IsDeleted).Where(inner.Predicate);
            return new Built(r => r.Index.Any(i => i.Param == code && i.RefType == targetType && targets.Any(t => t.ResourceId == i.RefId)), false);
        }

        if (criterion.ReverseChain is { } reverse)
        {
            var inner = Build(reverse.Inner, resources, index);
            var referring = reverse.ReferringType;
            var param = reverse.ReferenceParam;
            var referrers = resources.Where(o => o.ResourceType == referring && o.SupersededAt == null && !o.IsDeleted).Where(inner.Predicate);
            return new Built(r => referrers.Any(o => o.Index.Any(i => i.Param == param && i.RefType == r.ResourceType && i.RefId == r.ResourceId)), false);
        }

        if (code == "_id")
        {
            var ids = criterion.Values.Select(v => v.Raw).ToArray();
            Expression<Func<ResourceVersion, bool>> byId = r => ids.Contains(r.ResourceId);
            return new Built(criterion.Modifier == "missing" ? (criterion.Values[0].Raw == "true" ? r => false : r => true) : byId, false);
        }

        if (criterion.Modifier == "missing")
        {
            var missing = criterion.Values[0].Raw == "true";
            return new Built(missing ? r => !r.Index.Any(i => i.Param == code) : r => r.Index.Any(i => i.Param == code), false);
        }

        var blind = criterion.Parameter.Identifying && protection.IsBlinding && !plain;
        var needsVerification = false;
        var valuePredicates = new List<Expression<Func<SearchIndexEntry, bool>>>();
        foreach (var value in criterion.Values)
        {
            valuePredicates.Add(ForValue(criterion, value, blind, out var loose));
            needsVerification |= loose;
        }
        var entryPredicate = ExpressionCombiner.And<SearchIndexEntry>([i => i.Param == code, ExpressionCombiner.Or(valuePredicates)]);

        Expression<Func<ResourceVersion, bool>> has;
        if (plain)
        {
            has = r => r.Index.AsQueryable().Any(entryPredicate);
        }
        else
        {
            var matching = index.Where(entryPredicate).Select(i => i.ResourceVersionId);
            has = r => matching.Contains(r.Id);
        }
        // :not matches resources with no value equal to any given (search.html#modifiers).
        return new Built(criterion.Modifier == "not" ? ExpressionCombiner.Not(has) : has, needsVerification);
    }

    private Expression<Func<SearchIndexEntry, bool>> ForValue(Criterion criterion, CriterionValue value, bool blind, out bool loose)
    {
        loose = false;
        var parameter = criterion.Parameter;
        switch (parameter.Type)
        {
            case SearchParamType.String:
                return ForString(parameter.Code, criterion.Modifier, value.Raw, blind, out loose);
            case SearchParamType.Token:
                return ForToken(parameter.Code, criterion.Modifier, value.Raw, blind);
            case SearchParamType.Date:
                loose = blind;
                return ForDate(value, blind);
            case SearchParamType.Reference:
                return ForReference(criterion.Modifier, value.Raw);
            case SearchParamType.Uri:
                return ForUri(criterion.Modifier, value.Raw);
            case SearchParamType.Number:
                return ForNumber(value.Prefix, value.Raw);
            case SearchParamType.Quantity:
                return ForQuantity(value.Prefix, value.Raw);
            default:
                throw FhirProblem.BadRequest($"Search on {parameter.Type} parameters is not supported.", parameter.Code);
        }
    }

    private Expression<Func<SearchIndexEntry, bool>> ForString(string code, string? modifier, string raw, bool blind, out bool loose)
    {
        if (code == Phonetic.ParameterCode && modifier is null)
        {
            // A search value is one name part: its Soundex key must equal a stored part's key.
            loose = false;
            var keys = Phonetic.Keys(raw).Select(k => blind ? protection.BlindPrefix(code, BlindIndexer.Normalize(k)) : BlindIndexer.Normalize(k)).ToArray();
            var key = keys.Length > 0 ? keys[0] : "\u0000";
            return i => i.Text == key;
        }
        var normalized = BlindIndexer.Normalize(raw);
        loose = false;
        switch (modifier)
        {
            case "exact":
                var exact = blind ? protection.BlindExact(code, raw) : raw;
                return i => i.Code == exact;
            case "contains":
                // A keyed hash cannot answer "contains": every value passes and is checked after decryption.
                loose = blind;
                return blind ? i => true : i => i.Text != null && i.Text.Contains(normalized);
            default:
                if (blind)
                {
                    var prefix = normalized.Length > IndexProtection.MaxBlindPrefix ? normalized[..IndexProtection.MaxBlindPrefix] : normalized;
                    loose = prefix.Length != normalized.Length;
                    var blindPrefix = protection.BlindPrefix(code, prefix);
                    return i => i.Text == blindPrefix;
                }
                loose = normalized.Length > IndexProtection.MaxPlainText;
                var plainPrefix = loose ? normalized[..IndexProtection.MaxPlainText] : normalized;
                return i => i.Text != null && i.Text.StartsWith(plainPrefix);
        }
    }

    private Expression<Func<SearchIndexEntry, bool>> ForToken(string code, string? modifier, string raw, bool blind)
    {
        if (modifier == "text")
        {
            var text = BlindIndexer.Normalize(raw);
            return i => i.Text != null && i.Text.StartsWith(text);
        }
        if (modifier == "of-type")
        {
            // identifier:of-type=system|code|value (R4 search.html#token): the identifier type is
            // not indexed separately, so the value alone decides here.
            var parts = raw.Split('|');
            if (parts.Length != 3)
                throw FhirProblem.BadRequest(":of-type takes system|code|value.", code);
            return ForToken(code, null, parts[2], blind);
        }

        string? system = null;
        var value = raw;
        var bar = IndexOfUnescapedBar(raw);
        if (bar >= 0)
        {
            system = raw[..bar];
            value = raw[(bar + 1)..];
        }
        value = value.Replace("\\|", "|", StringComparison.Ordinal);
        var stored = blind && value.Length > 0 ? protection.BlindToken(code, value) : value;
        if (bar < 0)
            return i => i.Code == stored;
        if (system!.Length == 0)
            return i => i.System == null && i.Code == stored;
        if (value.Length == 0)
            return i => i.System == system;
        return i => i.System == system && i.Code == stored;
    }

    private static int IndexOfUnescapedBar(string raw)
    {
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] == '\\')
                i++;
            else if (raw[i] == '|')
                return i;
        }
        return -1;
    }

    private Expression<Func<SearchIndexEntry, bool>> ForDate(CriterionValue value, bool blind)
    {
        if (!FhirDateRange.TryParse(value.Raw, out var range))
            throw FhirProblem.BadRequest($"'{value.Raw}' is not a FHIR date, dateTime or instant.");
        var (low, high) = (range.Low, range.High);
        if (blind)
        {
            // Coarse (year) values only narrow: whatever could match passes, then is verified.
            return value.Prefix switch
            {
                "lt" or "eb" or "le" => i => i.Low <= high,
                "gt" or "sa" or "ge" => i => i.High >= low,
                "ne" => i => true,
                _ => i => i.Low <= high && i.High >= low,
            };
        }
        // R4 search.html#prefix, with the value's precision as its range.
        return value.Prefix switch
        {
            "eq" => i => i.Low >= low && i.High <= high,
            "ne" => i => i.Low < low || i.High > high,
            "gt" => i => i.High > high,
            "lt" => i => i.Low < low,
            "ge" => i => i.High >= low,
            "le" => i => i.Low <= high,
            "sa" => i => i.Low > high,
            "eb" => i => i.High < low,
            "ap" => Approximately(low, high),
            _ => throw FhirProblem.BadRequest($"Unknown date prefix '{value.Prefix}'."),
        };
    }

    // search.html#prefix "ap": within 10% of the gap between the value and now (at least a day).
    private Expression<Func<SearchIndexEntry, bool>> Approximately(DateTime low, DateTime high)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var gap = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerDay, Math.Abs((now - low).Ticks) / 10));
        var from = low - gap;
        var to = high + gap;
        return i => i.Low <= to && i.High >= from;
    }

    private static Expression<Func<SearchIndexEntry, bool>> ForReference(string? modifier, string raw)
    {
        if (raw.Contains("://", StringComparison.Ordinal))
        {
            var identity = new Hl7.Fhir.Rest.ResourceIdentity(raw);
            var (t, id) = (identity.ResourceType, identity.Id);
            return i => i.Text == raw || (t != null && i.RefType == t && i.RefId == id);
        }
        var slash = raw.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0)
        {
            var type = raw[..slash];
            var id = raw[(slash + 1)..];
            var versionAt = id.IndexOf("/_history/", StringComparison.Ordinal);
            if (versionAt > 0)
                id = id[..versionAt];
            return i => i.RefType == type && i.RefId == id;
        }
        if (modifier is not null && modifier != "identifier")
            return i => i.RefType == modifier && i.RefId == raw;
        return i => i.RefId == raw || i.Text == raw;
    }

    private static Expression<Func<SearchIndexEntry, bool>> ForUri(string? modifier, string raw) => modifier switch
    {
        "below" => i => i.Text != null && i.Text.StartsWith(raw),
        "above" => i => i.Text != null && raw.StartsWith(i.Text),
        _ => i => i.Text == raw,
    };

    private static Expression<Func<SearchIndexEntry, bool>> ForNumber(string prefix, string raw)
    {
        var number = decimal.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture);
        // search.html#number: the precision of the value is a range (100 means [99.5, 100.5)).
        var half = HalfUnit(raw);
        var (low, high) = (number - half, number + half);
        return prefix switch
        {
            "eq" or "ap" => i => i.Number >= low && i.Number < high,
            "ne" => i => i.Number < low || i.Number >= high,
            "gt" or "sa" => i => i.Number > number,
            "lt" or "eb" => i => i.Number < number,
            "ge" => i => i.Number >= number,
            "le" => i => i.Number <= number,
            _ => throw FhirProblem.BadRequest($"Unknown number prefix '{prefix}'."),
        };
    }

    private static decimal HalfUnit(string raw)
    {
        var mantissa = raw.Split('e', 'E')[0];
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var decimals = dot < 0 ? 0 : mantissa.Length - dot - 1;
        return 0.5m / (decimal)Math.Pow(10, decimals);
    }

    private static Expression<Func<SearchIndexEntry, bool>> ForQuantity(string prefix, string raw)
    {
        var parts = raw.Split('|');
        var numberPredicate = ForNumber(prefix, parts[0]);
        if (parts.Length < 3)
            return numberPredicate;
        var (system, unit) = (parts[1], parts[2]);
        Expression<Func<SearchIndexEntry, bool>> unitPredicate = system.Length == 0
            ? i => i.Code == unit
            : i => i.System == system && i.Code == unit;
        return ExpressionCombiner.And([numberPredicate, unitPredicate]);
    }
}
