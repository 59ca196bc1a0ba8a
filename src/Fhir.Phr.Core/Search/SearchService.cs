using System.Linq.Expressions;
using Fhir.Phr.Core.Access;
using Fhir.Phr.Core.Errors;
using Fhir.Phr.Core.Resources;
using Fhir.Phr.Core.Storage;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;

namespace Fhir.Phr.Core.Search;

public sealed record SearchResult(
    IReadOnlyList<StoredResource> Matches,
    IReadOnlyList<StoredResource> Included,
    int? Total,
    bool HasNext,
    DateTime Snapshot);

/// <summary>
/// Runs searches (R4 search.html) against the index. Criteria run in SQL; where the index
/// holds only blind or coarse values for a criterion or a sort key, the SQL result is a
/// superset that is checked (and sorted) after decryption, bounded by <see cref="MaxVerifiedCandidates"/>.
/// Every search reads at one instant (the snapshot), which paging links carry, so pages
/// stay consistent while others write.
/// </summary>
public sealed class SearchService(
    PhrDbContext db,
    ResourceService resources,
    SearchIndexer indexer,
    IndexProtection indexProtection,
    SearchPredicates predicates,
    AccessFilter accessFilter,
    TimeProvider time)
{
    public const int MaxVerifiedCandidates = 5000;
    private const int MaxIncludeRounds = 4;

    public async Task<SearchResult> SearchAsync(SearchQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        resources.EnsureSupported(query.ResourceType);
        accessFilter.Demand(AccessAction.Search, query.ResourceType);
        var snapshot = query.Snapshot ?? time.GetUtcNow().UtcDateTime;
        var type = query.ResourceType;
        var rows = db.Resources.AsNoTracking()
            .Where(r => r.ResourceType == type && !r.IsDeleted && r.LastUpdated <= snapshot && (r.SupersededAt == null || r.SupersededAt > snapshot));
        rows = accessFilter.Apply(rows, AccessAction.Search, type);

        var toVerify = new List<Func<ResourceVersion, bool>>();
        foreach (var criterion in query.Criteria)
        {
            var built = predicates.Build(criterion, db.Resources, db.SearchIndex);
            rows = rows.Where(built.Predicate);
            if (built.NeedsVerification)
                toVerify.Add(predicates.Build(criterion, db.Resources, db.SearchIndex, plain: true).Predicate.Compile());
        }

        var inMemory = toVerify.Count > 0 || query.Sort.Any(k => IsBlindForSorting(k.Parameter));
        return inMemory
            ? await SearchVerifiedAsync(query, rows, toVerify, snapshot, cancellationToken)
            : await SearchInSqlAsync(query, rows, snapshot, cancellationToken);
    }

    private async Task<SearchResult> SearchInSqlAsync(SearchQuery query, IQueryable<ResourceVersion> rows, DateTime snapshot, CancellationToken cancellationToken)
    {
        int? total = query.Total == TotalMode.None ? null : await rows.CountAsync(cancellationToken);
        // The page's ids first, from the indexes alone; then only those rows with their payloads
        // (sorting whole rows of every match to keep twenty took most of a search's time).
        var ids = query.Count == 0
            ? []
            : await Order(rows, query.Sort).Skip(query.Offset).Take(query.Count + 1).Select(r => r.Id).ToListAsync(cancellationToken);
        var hasNext = ids.Count > query.Count;
        var pageIds = ids.Take(query.Count).ToList();
        var byId = pageIds.Count == 0
            ? []
            : await db.Resources.AsNoTracking().Where(r => pageIds.Contains(r.Id)).ToDictionaryAsync(r => r.Id, cancellationToken);
        var matches = pageIds.Where(byId.ContainsKey).Select(id => resources.Open(byId[id])).ToList();
        var included = await IncludeAsync(query, matches, cancellationToken);
        return new SearchResult(matches, included, total, hasNext, snapshot);
    }

    private async Task<SearchResult> SearchVerifiedAsync(SearchQuery query, IQueryable<ResourceVersion> rows, List<Func<ResourceVersion, bool>> toVerify, DateTime snapshot, CancellationToken cancellationToken)
    {
        var candidates = await rows.OrderBy(r => r.Id).Take(MaxVerifiedCandidates + 1).ToListAsync(cancellationToken);
        if (candidates.Count > MaxVerifiedCandidates)
        {
            throw FhirProblem.Of(System.Net.HttpStatusCode.BadRequest, OperationOutcome.IssueType.TooCostly,
                $"This search must be checked on decrypted records (it uses :contains, a birth-date range or a sort on protected values) and matches more than {MaxVerifiedCandidates}; add a more selective criterion.");
        }

        var verified = new List<(StoredResource Stored, List<SearchIndexEntry> Plain)>();
        foreach (var row in candidates)
        {
            var stored = resources.Open(row);
            var plain = indexer.Extract(stored.ToPoco()).SelectMany(v => indexProtection.ToEntries(v, blind: false)).ToList();
            var probe = new ResourceVersion { ResourceType = row.ResourceType, ResourceId = row.ResourceId, Method = row.Method, Index = plain };
            if (toVerify.All(check => check(probe)))
                verified.Add((stored, plain));
        }

        IEnumerable<(StoredResource Stored, List<SearchIndexEntry> Plain)> ordered = verified;
        IOrderedEnumerable<(StoredResource Stored, List<SearchIndexEntry> Plain)>? sorted = null;
        foreach (var key in query.Sort)
        {
            Func<(StoredResource Stored, List<SearchIndexEntry> Plain), IComparable?> selector = x => SortValue(x.Stored, x.Plain, key);
            sorted = sorted is null
                ? key.Descending ? ordered.OrderByDescending(selector) : ordered.OrderBy(selector)
                : key.Descending ? sorted.ThenByDescending(selector) : sorted.ThenBy(selector);
        }
        var final = (sorted ?? ordered.OrderBy(x => 0)).ThenBy(x => x.Stored.Id, StringComparer.Ordinal).ToList();

        var page = final.Skip(query.Offset).Take(query.Count).Select(x => x.Stored).ToList();
        var included = await IncludeAsync(query, page, cancellationToken);
        return new SearchResult(page, included, query.Total == TotalMode.None ? null : final.Count, final.Count > query.Offset + query.Count, snapshot);
    }

    private static IComparable? SortValue(StoredResource stored, List<SearchIndexEntry> plain, SortKey key)
    {
        var code = key.Parameter.Code;
        if (code == "_id")
            return stored.Id;
        if (code == "_lastUpdated")
            return stored.LastUpdated;
        var values = plain.Where(i => i.Param == code).ToList();
        if (values.Count == 0)
            return null;
        return key.Parameter.Type switch
        {
            SearchParamType.Date => key.Descending ? values.Max(v => v.High) : values.Min(v => v.Low),
            SearchParamType.Number or SearchParamType.Quantity => key.Descending ? values.Max(v => v.Number) : values.Min(v => v.Number),
            SearchParamType.Token => key.Descending ? values.Select(v => v.Code).Max(StringComparer.Ordinal) : values.Select(v => v.Code).Min(StringComparer.Ordinal),
            SearchParamType.Reference => values.Select(v => v.RefId).Min(StringComparer.Ordinal),
            _ => key.Descending ? values.Select(v => v.Text).Max(StringComparer.Ordinal) : values.Select(v => v.Text).Min(StringComparer.Ordinal),
        };
    }

    /// <summary>Sort keys whose index values are blind or coarse cannot be ordered in SQL.</summary>
    internal static bool IsBlindForSorting(SearchParameterInfo parameter) =>
        parameter.Identifying && !parameter.Code.StartsWith('_');

    private static IQueryable<ResourceVersion> Order(IQueryable<ResourceVersion> rows, IReadOnlyList<SortKey> keys)
    {
        IOrderedQueryable<ResourceVersion>? ordered = null;
        foreach (var key in keys)
        {
            var code = key.Parameter.Code;
            ordered = code switch
            {
                "_id" => Then(rows, ordered, r => r.ResourceId, key.Descending),
                "_lastUpdated" => Then(rows, ordered, r => r.LastUpdated, key.Descending),
                _ => key.Parameter.Type switch
                {
                    SearchParamType.Date => key.Descending
                        ? Then(rows, ordered, r => r.Index.Where(i => i.Param == code).Max(i => i.High), true)
                        : Then(rows, ordered, r => r.Index.Where(i => i.Param == code).Min(i => i.Low), false),
                    SearchParamType.Number or SearchParamType.Quantity => key.Descending
                        ? Then(rows, ordered, r => r.Index.Where(i => i.Param == code).Max(i => i.Number), true)
                        : Then(rows, ordered, r => r.Index.Where(i => i.Param == code).Min(i => i.Number), false),
                    SearchParamType.Token => key.Descending
                        ? Then(rows, ordered, r => r.Index.Where(i => i.Param == code).Max(i => i.Code), true)
                        : Then(rows, ordered, r => r.Index.Where(i => i.Param == code).Min(i => i.Code), false),
                    SearchParamType.Reference => Then(rows, ordered, r => r.Index.Where(i => i.Param == code).Min(i => i.RefId), key.Descending),
                    _ => key.Descending
                        ? Then(rows, ordered, r => r.Index.Where(i => i.Param == code).Max(i => i.Text), true)
                        : Then(rows, ordered, r => r.Index.Where(i => i.Param == code).Min(i => i.Text), false),
                },
            };
        }
        // The surrogate key last, so that equal sort values still page deterministically.
        return ordered is null ? rows.OrderBy(r => r.Id) : ordered.ThenBy(r => r.Id);
    }

    private static IOrderedQueryable<ResourceVersion> Then<TKey>(IQueryable<ResourceVersion> rows, IOrderedQueryable<ResourceVersion>? ordered, Expression<Func<ResourceVersion, TKey>> key, bool descending) =>
        ordered is null
            ? descending ? rows.OrderByDescending(key) : rows.OrderBy(key)
            : descending ? ordered.ThenByDescending(key) : ordered.ThenBy(key);

    /// <summary>_include and _revinclude (search.html#include), with :iterate up to a few rounds.</summary>
    private async Task<IReadOnlyList<StoredResource>> IncludeAsync(SearchQuery query, IReadOnlyList<StoredResource> matches, CancellationToken cancellationToken)
    {
        if (query.Includes.Count == 0 || matches.Count == 0)
            return [];
        var seen = matches.Select(m => (m.ResourceType, m.Id)).ToHashSet();
        var included = new List<StoredResource>();
        var frontier = matches.ToList();
        for (var round = 0; round < MaxIncludeRounds && frontier.Count > 0; round++)
        {
            var next = new List<StoredResource>();
            foreach (var include in query.Includes.Where(i => round == 0 || i.Iterate))
            {
                var found = include.Reverse
                    ? await ReverseIncludeAsync(include, frontier, cancellationToken)
                    : await ForwardIncludeAsync(include, frontier, cancellationToken);
                foreach (var row in found)
                {
                    // _include must not leak what the caller may not read (SMART scopes and compartments).
                    if (seen.Contains((row.ResourceType, row.ResourceId)) || !await accessFilter.AllowsAsync(row, AccessAction.Read, cancellationToken))
                        continue;
                    seen.Add((row.ResourceType, row.ResourceId));
                    var stored = resources.Open(row);
                    included.Add(stored);
                    next.Add(stored);
                }
            }
            frontier = next;
        }
        return included;
    }

    private async Task<List<ResourceVersion>> ForwardIncludeAsync(IncludeSpec include, List<StoredResource> sources, CancellationToken cancellationToken)
    {
        var ids = sources.Where(s => s.ResourceType == include.SourceType).Select(s => s.Id).ToList();
        if (ids.Count == 0)
            return [];
        var sourceType = include.SourceType;
        var param = include.Param;
        var targetType = include.TargetType;
        var references = await db.SearchIndex.AsNoTracking()
            .Where(i => i.Param == param && i.RefType != null && i.ResourceVersion!.ResourceType == sourceType && i.ResourceVersion.SupersededAt == null && ids.Contains(i.ResourceVersion.ResourceId))
            .Where(i => targetType == null || i.RefType == targetType)
            .Select(i => new { i.RefType, i.RefId })
            .Distinct()
            .ToListAsync(cancellationToken);
        var result = new List<ResourceVersion>();
        foreach (var group in references.GroupBy(r => r.RefType!))
        {
            var refType = group.Key;
            var refIds = group.Select(g => g.RefId!).ToList();
            result.AddRange(await db.Resources.AsNoTracking()
                .Where(r => r.ResourceType == refType && refIds.Contains(r.ResourceId) && r.SupersededAt == null && !r.IsDeleted)
                .ToListAsync(cancellationToken));
        }
        return result;
    }

    private async Task<List<ResourceVersion>> ReverseIncludeAsync(IncludeSpec include, List<StoredResource> targets, CancellationToken cancellationToken)
    {
        var result = new List<ResourceVersion>();
        foreach (var group in targets.GroupBy(t => t.ResourceType))
        {
            var targetType = group.Key;
            if (include.TargetType is not null && include.TargetType != targetType)
                continue;
            var ids = group.Select(t => t.Id).ToList();
            var sourceType = include.SourceType;
            var param = include.Param;
            result.AddRange(await db.Resources.AsNoTracking()
                .Where(r => r.ResourceType == sourceType && r.SupersededAt == null && !r.IsDeleted)
                .Where(r => r.Index.Any(i => i.Param == param && i.RefType == targetType && ids.Contains(i.RefId!)))
                .ToListAsync(cancellationToken));
        }
        return result;
    }
}
