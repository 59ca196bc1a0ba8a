using System.Net;
using Fhir.Phr.Core.Errors;
using Fhir.Phr.Core.Patching;
using Fhir.Phr.Core.Resources;
using Fhir.Phr.Core.Search;
using Fhir.Phr.Core.Serialization;
using Fhir.Phr.Core.Storage;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Microsoft.EntityFrameworkCore;

namespace Fhir.Phr.Core.Bundles;

/// <summary>How much of each written resource a response carries (http.html#return).</summary>
public enum ReturnPreference
{
    Minimal,
    Representation,
    OperationOutcome,
}

/// <summary>
/// Batch and transaction processing at POST [base] (R4 http.html#transaction). A transaction
/// runs in one database transaction, in the specification's order (DELETE, POST, PUT/PATCH,
/// GET/HEAD), with urn:uuid and conditional references resolved and rewritten before any
/// write; any failure rolls everything back. A batch runs entries independently.
/// </summary>
public sealed class BundleProcessor(
    PhrDbContext db,
    ResourceService resources,
    FhirInteractions interactions,
    ConditionalResolver conditional,
    SearchQueryParser parser,
    SearchService search,
    Keys.RecordKeys keys,
    WriteGate gate)
{
    public const int MaxEntries = 10_000;

    public async Task<Bundle> ProcessAsync(Bundle bundle, ReturnPreference preference, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        if (bundle.Type is not (Bundle.BundleType.Transaction or Bundle.BundleType.Batch))
            throw FhirProblem.BadRequest($"POST [base] takes a Bundle of type transaction or batch, not {bundle.Type?.ToString() ?? "(none)"}.", "Bundle.type");
        if (bundle.Entry.Count > MaxEntries)
            throw FhirProblem.Of((HttpStatusCode)413, OperationOutcome.IssueType.TooCostly, $"A bundle may hold at most {MaxEntries} entries.");
        for (var i = 0; i < bundle.Entry.Count; i++)
        {
            if (bundle.Entry[i].Request?.Method is null || string.IsNullOrEmpty(bundle.Entry[i].Request!.Url!))
                throw FhirProblem.BadRequest($"Bundle.entry[{i}] needs request.method and request.url.", $"Bundle.entry[{i}].request");
        }
        return bundle.Type == Bundle.BundleType.Transaction
            ? await TransactionAsync(bundle, preference, cancellationToken)
            : await BatchAsync(bundle, preference, cancellationToken);
    }

    private async Task<Bundle> BatchAsync(Bundle bundle, ReturnPreference preference, CancellationToken cancellationToken)
    {
        var response = new Bundle { Type = Bundle.BundleType.BatchResponse, Id = Guid.NewGuid().ToString("N") };
        foreach (var entry in bundle.Entry)
        {
            try
            {
                var result = await ExecuteAsync(entry, entry.Request!.Url!, preference, cancellationToken);
                response.Entry.Add(result);
            }
            catch (FhirProblem problem)
            {
                db.ChangeTracker.Clear();
                response.Entry.Add(new Bundle.EntryComponent
                {
                    Response = new Bundle.ResponseComponent { Status = Status(problem.Status), Outcome = problem.Outcome },
                });
            }
        }
        return response;
    }

    private async Task<Bundle> TransactionAsync(Bundle bundle, ReturnPreference preference, CancellationToken cancellationToken)
    {
        var entries = bundle.Entry.Select((e, i) => (Entry: e, Index: i)).ToList();
        CheckNoDuplicateTargets(entries.Select(e => e.Entry).ToList());
        var ordered = entries.OrderBy(e => Order(e.Entry.Request!.Method!.Value)).ThenBy(e => e.Entry.Resource is Binary).ThenBy(e => e.Index).ToList();
        var prepared = Prepare(entries, ordered);
        var strategy = db.Database.CreateExecutionStrategy();
        using var lease = await gate.EnterAsync(cancellationToken);
        return await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            try
            {
                var urls = prepared ?? await AssignIdentitiesAsync(entries.Select(e => e.Entry).ToList(), cancellationToken);
                var responses = new Bundle.EntryComponent[bundle.Entry.Count];
                foreach (var (entry, index) in ordered)
                {
                    if (entry.Resource is not null && prepared is null)
                        await RewriteReferencesAsync(entry.Resource, urls, cancellationToken);
                    var url = urls.TryGetValue("request:" + index, out var assigned) ? assigned : entry.Request!.Url!;
                    try
                    {
                        responses[index] = await ExecuteAsync(entry, url, preference, cancellationToken, freshIds: prepared is not null);
                    }
                    catch (FhirProblem problem)
                    {
                        throw Describe(problem, entry, index);
                    }
                }
                await transaction.CommitAsync(cancellationToken);
                keys.Committed();
                var response = new Bundle { Type = Bundle.BundleType.TransactionResponse, Id = Guid.NewGuid().ToString("N") };
                response.Entry.AddRange(responses);
                return response;
            }
            catch
            {
                await transaction.RollbackAsync(CancellationToken.None);
                db.ChangeTracker.Clear();
                throw;
            }
        });
    }

    private static FhirProblem Describe(FhirProblem problem, Bundle.EntryComponent entry, int index)
    {
        var issue = problem.Outcome.Issue.FirstOrDefault();
        if (issue is not null)
            issue.Diagnostics = $"Bundle.entry[{index}] ({entry.Request!.Method} {entry.Request!.Url!}): {issue.Diagnostics}";
        return problem;
    }

    /// <summary>
    /// The CPU-heavy part of a transaction that needs no database — ids, reference rewriting,
    /// validation, the key envelopes of new patient records — done before taking the write gate,
    /// so that concurrent transactions overlap in it instead of queueing behind each other. Only
    /// for transactions of plain creates and updates by id (the shape of ingestion and EMR
    /// exchange) whose references need no lookup; returns the identity map, or null to do
    /// everything in the transaction as before. Envelopes are sealed ahead for created patients
    /// only: an update by id may well find its patient stored.
    /// </summary>
    private Dictionary<string, string>? Prepare(List<(Bundle.EntryComponent Entry, int Index)> entries, List<(Bundle.EntryComponent Entry, int Index)> ordered)
    {
        var ids = new string[entries.Count];
        foreach (var (entry, index) in entries)
        {
            var request = entry.Request!;
            if (entry.Resource is null || !resources.CanCreate(entry.Resource.TypeName)
                || Descendants(entry.Resource).OfType<ResourceReference>().Any(r => r.Reference is { } value && value.Contains('?', StringComparison.Ordinal) && !value.Contains("://", StringComparison.Ordinal)))
                return null;
            if (request.Method == Bundle.HTTPVerb.POST && string.IsNullOrWhiteSpace(request.IfNoneExist))
                ids[index] = Guid.NewGuid().ToString("N");
            else if (request.Method == Bundle.HTTPVerb.PUT && request.Url is { } url && !url.Contains('?', StringComparison.Ordinal)
                && url.Split('/') is [var type, var id] && type == entry.Resource.TypeName && ResourceService.IsValidId(id))
                ids[index] = id;
            else
                return null;
        }
        var urls = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (entry, index) in entries)
        {
            if (entry.Request!.Method == Bundle.HTTPVerb.POST)
                urls["request:" + index] = $"{entry.Resource!.TypeName}?_id={ids[index]}";
            if (!string.IsNullOrEmpty(entry.FullUrl))
                urls[entry.FullUrl] = $"{entry.Resource!.TypeName}/{ids[index]}";
        }
        foreach (var (entry, index) in ordered)
        {
            // Without conditional references the rewrite never awaits (it reaches no database).
            var rewrite = RewriteReferencesAsync(entry.Resource!, urls, CancellationToken.None);
            System.Diagnostics.Debug.Assert(rewrite.IsCompleted);
            rewrite.GetAwaiter().GetResult();
            // An update keeps the body's id: the write refuses one that differs from the URL's.
            if (entry.Request!.Method == Bundle.HTTPVerb.POST)
                entry.Resource!.Id = ids[index];
        }
        resources.ValidateAhead(ordered.Select(e => e.Entry.Resource!).ToList(), (i, problem) => Describe(problem, ordered[i].Entry, ordered[i].Index));
        resources.SealAhead(entries.Where(e => e.Entry.Resource is Patient && e.Entry.Request!.Method == Bundle.HTTPVerb.POST).Select(e => ids[e.Index]).ToList());
        return urls;
    }

    // http.html#trules: DELETE, then POST, then PUT/PATCH, then GET/HEAD. Within a group the
    // order is the server's: Binaries go last, so that the resource their securityContext
    // names already exists and the Binary joins its patient record.
    private static int Order(Bundle.HTTPVerb method) => method switch
    {
        Bundle.HTTPVerb.DELETE => 0,
        Bundle.HTTPVerb.POST => 1,
        Bundle.HTTPVerb.PUT or Bundle.HTTPVerb.PATCH => 2,
        _ => 3,
    };

    private static void CheckNoDuplicateTargets(List<Bundle.EntryComponent> entries)
    {
        var targets = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries.Where(e => e.Request!.Method is Bundle.HTTPVerb.PUT or Bundle.HTTPVerb.DELETE or Bundle.HTTPVerb.PATCH))
        {
            if (!entry.Request!.Url!.Contains('?', StringComparison.Ordinal) && !targets.Add(entry.Request!.Url!.Split('?')[0]))
                throw FhirProblem.BadRequest($"The transaction changes {entry.Request!.Url!} more than once (http.html#trules).");
        }
    }

    /// <summary>
    /// Gives every POST entry its id (or the existing one for a matched If-None-Exist) and
    /// every conditional PUT its target, so all references can be rewritten before writing.
    /// Keys are fullUrls; "request:i" keys hold the rewritten request URL of entry i.
    /// </summary>
    private async Task<Dictionary<string, string>> AssignIdentitiesAsync(List<Bundle.EntryComponent> entries, CancellationToken cancellationToken)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var type = entry.Resource?.TypeName ?? entry.Request!.Url!.Split('/', '?')[0];
            string? id = null;
            switch (entry.Request!.Method)
            {
                case Bundle.HTTPVerb.POST when entry.Resource is not null:
                    if (!string.IsNullOrWhiteSpace(entry.Request!.IfNoneExist))
                    {
                        var matches = await conditional.FindAsync(type, entry.Request!.IfNoneExist, cancellationToken);
                        if (matches.Count > 1)
                            throw FhirProblem.Of(HttpStatusCode.PreconditionFailed, OperationOutcome.IssueType.MultipleMatches, $"Bundle.entry[{i}]: If-None-Exist '{entry.Request!.IfNoneExist}' matches more than one {type}.");
                        id = matches.Count == 1 ? matches[0].Id : null;
                    }
                    id ??= Guid.NewGuid().ToString("N");
                    map["request:" + i] = $"{type}?_id={id}";
                    entry.Resource.Id = null;
                    break;
                case Bundle.HTTPVerb.PUT when entry.Request!.Url!.Contains('?', StringComparison.Ordinal):
                    var criteria = entry.Request!.Url![(entry.Request!.Url!.IndexOf('?', StringComparison.Ordinal) + 1)..];
                    var found = await conditional.FindAsync(type, criteria, cancellationToken);
                    if (found.Count > 1)
                        throw FhirProblem.Of(HttpStatusCode.PreconditionFailed, OperationOutcome.IssueType.MultipleMatches, $"Bundle.entry[{i}]: '{entry.Request!.Url!}' matches more than one {type}.");
                    id = found.Count == 1 ? found[0].Id : entry.Resource?.Id ?? Guid.NewGuid().ToString("N");
                    map["request:" + i] = $"{type}/{id}";
                    break;
                case Bundle.HTTPVerb.PUT:
                    id = new ResourceIdentity(entry.Request!.Url!).Id;
                    break;
            }
            if (id is not null && !string.IsNullOrEmpty(entry.FullUrl))
                map[entry.FullUrl] = $"{type}/{id}";
        }
        return map;
    }

    private async Task RewriteReferencesAsync(Resource resource, Dictionary<string, string> urls, CancellationToken cancellationToken)
    {
        foreach (var reference in Descendants(resource).OfType<ResourceReference>())
        {
            if (reference.Reference is not { } value)
                continue;
            if (urls.TryGetValue(value, out var local))
                reference.Reference = local;
            else if (value.StartsWith("urn:uuid:", StringComparison.Ordinal) || value.StartsWith("urn:oid:", StringComparison.Ordinal))
                throw FhirProblem.BadRequest($"The reference '{value}' names no entry of this transaction.");
            else if (value.Contains('?', StringComparison.Ordinal) && !value.Contains("://", StringComparison.Ordinal))
            {
                var target = await conditional.ResolveReferenceAsync(value, cancellationToken);
                reference.Reference = $"{target.ResourceType}/{target.Id}";
            }
        }
        foreach (var attachment in Descendants(resource).OfType<Attachment>())
        {
            if (attachment.Url is { } url && urls.TryGetValue(url, out var local))
                attachment.Url = local;
        }
    }

    /// <param name="freshIds">The ids of created resources are new GUIDs, not ids an If-None-Exist matched.</param>
    private async Task<Bundle.EntryComponent> ExecuteAsync(Bundle.EntryComponent entry, string url, ReturnPreference preference, CancellationToken cancellationToken, bool freshIds = false)
    {
        var request = entry.Request!;
        var (path, query) = SplitUrl(url);
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        InteractionResult result;
        switch (request.Method)
        {
            case Bundle.HTTPVerb.GET or Bundle.HTTPVerb.HEAD:
                return await ReadEntryAsync(segments, query, cancellationToken);
            case Bundle.HTTPVerb.POST:
                var created = RequireResource(entry);
                var assignedId = query is not null && query.StartsWith("_id=", StringComparison.Ordinal) ? query[4..] : null;
                if (assignedId is not null && !freshIds && await resources.FindCurrentAsync(created.TypeName, assignedId, cancellationToken) is { IsDeleted: false } existing)
                    result = new InteractionResult(HttpStatusCode.OK, resources.Open(existing));
                else
                    result = await interactions.CreateAsync(created, assignedId is null ? request.IfNoneExist : null, cancellationToken, assignedId);
                break;
            case Bundle.HTTPVerb.PUT:
                var updated = RequireResource(entry);
                if (query is not null)
                    result = await interactions.ConditionalUpdateAsync(updated, query, ETag(request.IfMatch), cancellationToken);
                else
                {
                    if (segments.Length != 2 || segments[0] != updated.TypeName)
                        throw FhirProblem.BadRequest($"PUT {url} must name {updated.TypeName}/[id].", "Bundle.entry.request.url");
                    result = await interactions.UpdateAsync(updated, segments[1], ETag(request.IfMatch), cancellationToken);
                }
                break;
            case Bundle.HTTPVerb.DELETE:
                result = query is not null
                    ? await interactions.ConditionalDeleteAsync(segments[0], query, cancellationToken)
                    : segments.Length == 2
                        ? await interactions.DeleteAsync(segments[0], segments[1], ETag(request.IfMatch), cancellationToken)
                        : throw FhirProblem.BadRequest($"DELETE {url} must name [type]/[id] or [type]?criteria.", "Bundle.entry.request.url");
                return new Bundle.EntryComponent { Response = new Bundle.ResponseComponent { Status = "204 No Content" } };
            case Bundle.HTTPVerb.PATCH:
                var id = query is not null ? await interactions.ResolveSingleAsync(segments[0], query, cancellationToken) : segments.Length == 2 ? segments[1] : throw FhirProblem.BadRequest($"PATCH {url} must name [type]/[id].");
                var current = (await resources.ReadAsync(segments[0], id, cancellationToken)).ToPoco();
                var patched = ApplyPatch(current, entry);
                var outcome = await resources.UpdateAsync(patched, id, ETag(request.IfMatch), cancellationToken, "PATCH");
                result = new InteractionResult(HttpStatusCode.OK, outcome.Resource, outcome.Warnings);
                break;
            default:
                throw FhirProblem.BadRequest($"Unsupported method {request.Method} in a bundle entry.");
        }
        return ToEntry(result, preference);
    }

    private async Task<Bundle.EntryComponent> ReadEntryAsync(string[] segments, string? query, CancellationToken cancellationToken)
    {
        if (segments.Length == 1)
        {
            var parsed = parser.Parse(segments[0], ConditionalResolver.ParseQueryString(query ?? ""), SearchHandling.Lenient);
            var page = await search.SearchAsync(parsed, cancellationToken);
            var set = new Bundle { Type = Bundle.BundleType.Searchset, Total = page.Total, Id = Guid.NewGuid().ToString("N") };
            foreach (var match in page.Matches)
                set.Entry.Add(new Bundle.EntryComponent { FullUrl = $"{match.ResourceType}/{match.Id}", Resource = match.ToPoco(), Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Match } });
            return new Bundle.EntryComponent { Resource = set, Response = new Bundle.ResponseComponent { Status = "200 OK" } };
        }
        var stored = segments.Length switch
        {
            2 => await resources.ReadAsync(segments[0], segments[1], cancellationToken),
            4 when segments[2] == "_history" && int.TryParse(segments[3], out var v) => await resources.VReadAsync(segments[0], segments[1], v, cancellationToken),
            _ => throw FhirProblem.BadRequest($"GET {string.Join('/', segments)} is not a read, vread or search."),
        };
        return new Bundle.EntryComponent
        {
            FullUrl = $"{stored.ResourceType}/{stored.Id}",
            Resource = stored.ToPoco(),
            Response = new Bundle.ResponseComponent { Status = "200 OK", Etag = stored.ETag, LastModified = new DateTimeOffset(stored.LastUpdated, TimeSpan.Zero) },
        };
    }

    private static Bundle.EntryComponent ToEntry(InteractionResult result, ReturnPreference preference)
    {
        var entry = new Bundle.EntryComponent
        {
            Response = new Bundle.ResponseComponent { Status = Status(result.Status), Location = result.Location },
        };
        if (result.Resource is { IsDeleted: false } stored)
        {
            entry.FullUrl = $"{stored.ResourceType}/{stored.Id}";
            entry.Response.Etag = stored.ETag;
            entry.Response.LastModified = new DateTimeOffset(stored.LastUpdated, TimeSpan.Zero);
            if (preference == ReturnPreference.Representation)
                entry.Resource = stored.ToPoco();
            else if (preference == ReturnPreference.OperationOutcome)
                entry.Response.Outcome = result.Outcome ?? Outcomes.Information("OK");
        }
        return entry;
    }

    private static IEnumerable<Base> Descendants(Base node)
    {
        foreach (var (_, value) in node.EnumerateElements())
        {
            IEnumerable<Base> children = value switch
            {
                Base single => [single],
                IEnumerable<Base> many => many,
                _ => [],
            };
            foreach (var child in children)
            {
                yield return child;
                foreach (var descendant in Descendants(child))
                    yield return descendant;
            }
        }
    }

    // In a bundle a JSON Patch travels as a Binary (http.html#patch); a FHIRPath Patch as Parameters.
    private static Resource ApplyPatch(Resource current, Bundle.EntryComponent entry)
    {
        var result = entry.Resource switch
        {
            Parameters parameters => PatchEngine.ApplyFhirPathPatch(current, parameters),
            Binary { ContentType: "application/json-patch+json", Data: { } data } => PatchEngine.ApplyJsonPatch(current, data),
            _ => throw FhirProblem.BadRequest("A PATCH entry carries Parameters (FHIRPath Patch) or a Binary of application/json-patch+json."),
        };
        return result.Succeeded ? result.Resource! : throw new FhirProblem((HttpStatusCode)result.StatusCode, result.Outcome!);
    }

    private static Resource RequireResource(Bundle.EntryComponent entry) =>
        entry.Resource ?? throw FhirProblem.BadRequest($"{entry.Request!.Method} {entry.Request!.Url!} needs entry.resource.", "Bundle.entry.resource");

    private static int? ETag(string? etag)
    {
        if (string.IsNullOrEmpty(etag))
            return null;
        var trimmed = etag.Trim();
        if (trimmed.StartsWith("W/", StringComparison.Ordinal))
            trimmed = trimmed[2..];
        return int.TryParse(trimmed.Trim('"'), out var version) ? version : throw FhirProblem.BadRequest($"If-Match '{etag}' is not a version ETag such as W/\"3\".");
    }

    private static (string Path, string? Query) SplitUrl(string url)
    {
        var question = url.IndexOf('?', StringComparison.Ordinal);
        return question < 0 ? (url.TrimStart('/'), null) : (url[..question].TrimStart('/'), url[(question + 1)..]);
    }

    private static string Status(HttpStatusCode status) => $"{(int)status} {StatusText(status)}";

    private static string StatusText(HttpStatusCode status) => (int)status switch
    {
        422 => "Unprocessable Entity",
        _ => System.Text.RegularExpressions.Regex.Replace(status.ToString(), "(?<=[a-z])(?=[A-Z])", " "),
    };
}
