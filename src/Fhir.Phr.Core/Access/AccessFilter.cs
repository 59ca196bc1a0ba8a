using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Fhir.Phr.Core.Search;
using Fhir.Phr.Core.Storage;

namespace Fhir.Phr.Core.Access;

/// <summary>
/// The caller's access as a predicate over stored rows, so that reads, searches, history and
/// includes all narrow in SQL the same way: the row's owner must be within the reach of a
/// scope granting the action, and v2 granular scopes (<c>?category=...</c>) must match.
/// </summary>
public sealed class AccessFilter(AccessContext access, SearchQueryParser parser, SearchPredicates predicates, PhrDbContext db)
{
    /// <summary>Whether some granted scope allows the action on the type at all.</summary>
    public bool Allows(AccessAction action, string resourceType) => access.Allows(action, resourceType);

    /// <summary>Throws 403 when no granted scope allows the action on the type at all.</summary>
    public void Demand(AccessAction action, string resourceType) => access.Demand(action, resourceType);

    /// <summary>The rows of <paramref name="resourceType"/> the caller may act on; the rows themselves when nothing limits it.</summary>
    public IQueryable<ResourceVersion> Apply(IQueryable<ResourceVersion> rows, AccessAction action, string resourceType) =>
        Predicate(action, resourceType) is { } predicate ? rows.Where(predicate) : rows;

    /// <summary>The rows of any of <paramref name="resourceTypes"/> the caller may act on (system history).</summary>
    public IQueryable<ResourceVersion> Apply(IQueryable<ResourceVersion> rows, AccessAction action, IReadOnlyList<string> resourceTypes)
    {
        ArgumentNullException.ThrowIfNull(resourceTypes);
        var perType = new List<Expression<Func<ResourceVersion, bool>>>();
        var limited = false;
        foreach (var type in resourceTypes)
        {
            var predicate = Predicate(action, type);
            limited |= predicate is not null;
            perType.Add(ExpressionCombiner.And<ResourceVersion>([r => r.ResourceType == type, predicate ?? (r => true)]));
        }
        return limited ? rows.Where(ExpressionCombiner.Or(perType)) : rows;
    }

    /// <summary>Whether the caller may act on this stored row (a read after loading it by id).</summary>
    public async Task<bool> AllowsAsync(ResourceVersion row, AccessAction action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (!access.Allows(action, row.ResourceType, row.Owner))
            return false;
        if (access.Filters(action, row.ResourceType).Count == 0)
            return true;
        var id = row.Id;
        return await Apply(db.Resources.Where(r => r.Id == id), action, row.ResourceType).AnyAsync(cancellationToken);
    }

    /// <summary>The access predicate for one type, or null when the caller is not limited on it.</summary>
    public Expression<Func<ResourceVersion, bool>>? Predicate(AccessAction action, string resourceType)
    {
        var reach = access.Reach(action, resourceType);
        var filters = access.Filters(action, resourceType);
        if (reach is null && filters.Count == 0)
            return null;
        var parts = new List<Expression<Func<ResourceVersion, bool>>>();
        if (reach is not null)
        {
            var owners = reach.ToArray();
            parts.Add(r => r.Owner != null && owners.Contains(r.Owner));
        }
        if (filters.Count > 0)
            parts.Add(ExpressionCombiner.Or(filters.Select(set => FilterPredicate(resourceType, set))));
        return ExpressionCombiner.And(parts);
    }

    // One granular scope's query (SMART 2.2 scopes-and-launch-context.html#finer-grained-resource-constraints-using-search-parameters)
    // as the same predicates a search would use. A filter that could only be decided on decrypted
    // values, or that does not parse, grants nothing.
    private Expression<Func<ResourceVersion, bool>> FilterPredicate(string resourceType, IReadOnlyList<(string Name, string Value)> filters)
    {
        SearchQuery query;
        try
        {
            query = parser.Parse(resourceType, filters.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)), SearchHandling.Strict);
        }
        catch (Errors.FhirProblem)
        {
            return r => false;
        }
        var parts = new List<Expression<Func<ResourceVersion, bool>>>();
        foreach (var criterion in query.Criteria)
        {
            var built = predicates.Build(criterion, db.Resources, db.SearchIndex);
            if (built.NeedsVerification)
                return r => false;
            parts.Add(built.Predicate);
        }
        return parts.Count == 0 ? r => false : ExpressionCombiner.And(parts);
    }
}
