using System.Globalization;
using Fhir.Phr.Core;
using Fhir.Phr.Core.Bundles;
using Fhir.Phr.Core.Capabilities;
using Fhir.Phr.Core.Errors;
using Fhir.Phr.Core.Patching;
using Fhir.Phr.Core.Resources;
using Fhir.Phr.Core.Search;
using Fhir.Phr.Core.Serialization;
using Fhir.Phr.Core.Validation;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Server.Fhir;

/// <summary>The whole FHIR REST surface in one place (R4 http.html), each route a named handler.</summary>
internal static class FhirEndpoints
{
    public static IEndpointRouteBuilder MapFhirRest(this IEndpointRouteBuilder app)
    {
        app.MapGet("/metadata", Metadata);
        app.MapPost("/", Bundle);
        app.MapGet("/_history", SystemHistory);

        app.MapGet("/{type}", Search);
        app.MapPost("/{type}/_search", SearchPost);
        app.MapPost("/{type}", Create);
        app.MapPut("/{type}", ConditionalUpdate);
        app.MapDelete("/{type}", ConditionalDelete);
        app.MapPatch("/{type}", ConditionalPatch);
        app.MapGet("/{type}/_history", TypeHistory);
        app.MapPost("/{type}/$validate", ValidateType);

        app.MapGet("/{type}/{id}", Read);
        app.MapPut("/{type}/{id}", Update);
        app.MapDelete("/{type}/{id}", Delete);
        app.MapPatch("/{type}/{id}", Patch);
        app.MapGet("/{type}/{id}/_history", InstanceHistory);
        app.MapGet("/{type}/{id}/_history/{version}", VRead);
        app.MapPost("/{type}/{id}/$validate", ValidateInstance);
        app.MapGet("/Patient/{id}/$everything", Everything);
        return app;
    }

    private static IResult Metadata(HttpContext context, CapabilityStatementBuilder builder) =>
        FhirHttp.Write(context, builder.Build(FhirHttp.BaseUrl(context.Request)));

    private static async Task<IResult> Read(HttpContext context, string type, string id, ResourceService resources, CancellationToken cancellationToken)
    {
        var stored = await resources.ReadAsync(type, id, cancellationToken);
        if (NotModified(context.Request, stored))
        {
            context.Response.Headers.ETag = stored.ETag;
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }
        return ReadResult(context, stored);
    }

    // A Binary in its own content type unless FHIR is asked for (binary.html#rest), else the resource.
    private static IResult ReadResult(HttpContext context, StoredResource stored) =>
        stored.ResourceType == "Binary" && !stored.IsDeleted && FhirHttp.WantsNativeBinary(context.Request)
            ? FhirHttp.NativeBinary(context, stored)
            : FhirHttp.Resource(context, stored);

    // http.html#cread: If-None-Match with the current ETag, or If-Modified-Since not older than it, gives 304.
    private static bool NotModified(HttpRequest request, StoredResource stored)
    {
        var ifNoneMatch = request.Headers.IfNoneMatch.FirstOrDefault();
        if (!string.IsNullOrEmpty(ifNoneMatch))
            return ifNoneMatch.Split(',').Any(tag => tag.Trim() == stored.ETag || tag.Trim() == $"\"{stored.Version}\"" || tag.Trim() == "*");
        var ifModifiedSince = request.Headers.IfModifiedSince.FirstOrDefault();
        if (!string.IsNullOrEmpty(ifModifiedSince) && DateTimeOffset.TryParse(ifModifiedSince, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var since))
            return stored.LastUpdated.AddTicks(-(stored.LastUpdated.Ticks % TimeSpan.TicksPerSecond)) <= since.UtcDateTime;
        return false;
    }

    private static async Task<IResult> VRead(HttpContext context, string type, string id, string version, ResourceService resources, CancellationToken cancellationToken)
    {
        if (!int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            throw FhirProblem.NotFound($"'{version}' is not a version of {type}/{id}.");
        return ReadResult(context, await resources.VReadAsync(type, id, number, cancellationToken));
    }

    private static async Task<IResult> Create(HttpContext context, string type, PhrOptions options, FhirInteractions interactions, ResourceService resources, CancellationToken cancellationToken)
    {
        resources.EnsureSupported(type);
        var resource = await FhirHttp.ReadResourceAsync(context.Request, options, type, cancellationToken);
        var ifNoneExist = context.Request.Headers["If-None-Exist"].FirstOrDefault();
        var result = await interactions.CreateAsync(resource, ifNoneExist, cancellationToken);
        return FhirHttp.Resource(context, result.Resource!, (int)result.Status, FhirHttp.Return(context.Request), result.Outcome);
    }

    private static async Task<IResult> Update(HttpContext context, string type, string id, PhrOptions options, FhirInteractions interactions, ResourceService resources, CancellationToken cancellationToken)
    {
        resources.EnsureSupported(type);
        var resource = await FhirHttp.ReadResourceAsync(context.Request, options, type, cancellationToken, id);
        if (resource.Id is null)
            throw FhirProblem.BadRequest("An update must carry the resource id in the body (http.html#update).", "Resource.id");
        var result = await interactions.UpdateAsync(resource, id, FhirHttp.IfMatch(context.Request), cancellationToken);
        return FhirHttp.Resource(context, result.Resource!, (int)result.Status, FhirHttp.Return(context.Request), result.Outcome);
    }

    private static async Task<IResult> ConditionalUpdate(HttpContext context, string type, PhrOptions options, FhirInteractions interactions, ResourceService resources, CancellationToken cancellationToken)
    {
        resources.EnsureSupported(type);
        var criteria = RequireCriteria(context.Request, "conditional update");
        var resource = await FhirHttp.ReadResourceAsync(context.Request, options, type, cancellationToken);
        var result = await interactions.ConditionalUpdateAsync(resource, criteria, FhirHttp.IfMatch(context.Request), cancellationToken);
        return FhirHttp.Resource(context, result.Resource!, (int)result.Status, FhirHttp.Return(context.Request), result.Outcome);
    }

    private static async Task<IResult> Delete(HttpContext context, string type, string id, FhirInteractions interactions, CancellationToken cancellationToken)
    {
        var result = await interactions.DeleteAsync(type, id, FhirHttp.IfMatch(context.Request), cancellationToken);
        if (result.Resource is { } tombstone)
            context.Response.Headers.ETag = tombstone.ETag;
        return Results.NoContent();
    }

    private static async Task<IResult> ConditionalDelete(HttpContext context, string type, FhirInteractions interactions, CancellationToken cancellationToken)
    {
        var criteria = RequireCriteria(context.Request, "conditional delete");
        await interactions.ConditionalDeleteAsync(type, criteria, cancellationToken);
        return Results.NoContent();
    }

    private static string RequireCriteria(HttpRequest request, string interaction)
    {
        var criteria = string.Join('&', request.Query.Where(q => q.Key is not ("_format" or "_pretty")).SelectMany(q => q.Value.Select(v => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(v ?? "")}")));
        return criteria.Length > 0 ? criteria : throw FhirProblem.Of(System.Net.HttpStatusCode.MethodNotAllowed, OperationOutcome.IssueType.NotSupported, $"A {interaction} needs search criteria in the URL.");
    }

    private static async Task<IResult> Patch(HttpContext context, string type, string id, PhrOptions options, ResourceService resources, CancellationToken cancellationToken) =>
        await ApplyPatchAsync(context, type, id, options, resources, cancellationToken);

    private static async Task<IResult> ConditionalPatch(HttpContext context, string type, PhrOptions options, ResourceService resources, FhirInteractions interactions, CancellationToken cancellationToken)
    {
        resources.EnsureSupported(type);
        var id = await interactions.ResolveSingleAsync(type, RequireCriteria(context.Request, "conditional patch"), cancellationToken);
        return await ApplyPatchAsync(context, type, id, options, resources, cancellationToken);
    }

    // http.html#patch: JSON Patch (application/json-patch+json) or FHIRPath Patch (a Parameters resource).
    private static async Task<IResult> ApplyPatchAsync(HttpContext context, string type, string id, PhrOptions options, ResourceService resources, CancellationToken cancellationToken)
    {
        var contentType = context.Request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        var body = await FhirHttp.ReadBodyAsync(context.Request, options, cancellationToken);
        var current = await resources.ReadAsync(type, id, cancellationToken);
        var ifMatch = FhirHttp.IfMatch(context.Request);
        if (ifMatch is { } expected && expected != current.Version)
            throw FhirProblem.PreconditionFailed($"If-Match W/\"{expected}\" does not match the current version {current.Version} of {type}/{id}.");

        PatchResult result;
        if (contentType == "application/json-patch+json")
            result = PatchEngine.ApplyJsonPatch(current.ToPoco(), body);
        else
        {
            var parameters = FhirFormats.Parse(body, FhirHttp.BodyFormat(context.Request)) as Parameters
                ?? throw FhirProblem.BadRequest("A FHIRPath Patch body is a Parameters resource (fhirpatch.html).");
            result = PatchEngine.ApplyFhirPathPatch(current.ToPoco(), parameters);
        }
        if (!result.Succeeded)
            throw new FhirProblem((System.Net.HttpStatusCode)result.StatusCode, result.Outcome!);
        var outcome = await resources.UpdateAsync(result.Resource!, id, current.Version, cancellationToken, "PATCH");
        return FhirHttp.Resource(context, outcome.Resource, StatusCodes.Status200OK, FhirHttp.Return(context.Request), outcome.Warnings);
    }

    private static async Task<IResult> Search(HttpContext context, string type, SearchQueryParser parser, SearchService search, CancellationToken cancellationToken)
    {
        var parameters = context.Request.Query.SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string>(q.Key, v ?? ""))).ToList();
        return await RunSearchAsync(context, type, parameters, parser, search, cancellationToken);
    }

    // search.html#Introduction: POST [type]/_search with form parameters, combined with any in the URL.
    private static async Task<IResult> SearchPost(HttpContext context, string type, SearchQueryParser parser, SearchService search, CancellationToken cancellationToken)
    {
        var parameters = context.Request.Query.SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string>(q.Key, v ?? ""))).ToList();
        if (context.Request.HasFormContentType)
        {
            var form = await context.Request.ReadFormAsync(cancellationToken);
            parameters.AddRange(form.SelectMany(f => f.Value.Select(v => new KeyValuePair<string, string>(f.Key, v ?? ""))));
        }
        else if (context.Request.ContentLength > 0)
        {
            throw FhirProblem.Of(System.Net.HttpStatusCode.UnsupportedMediaType, OperationOutcome.IssueType.NotSupported, "POST _search takes application/x-www-form-urlencoded parameters.");
        }
        return await RunSearchAsync(context, type, parameters, parser, search, cancellationToken);
    }

    private static async Task<IResult> RunSearchAsync(HttpContext context, string type, List<KeyValuePair<string, string>> parameters, SearchQueryParser parser, SearchService search, CancellationToken cancellationToken)
    {
        var query = parser.Parse(type, parameters, FhirHttp.Handling(context.Request));
        var result = await search.SearchAsync(query, cancellationToken);
        var bundle = new Bundle { Type = Hl7.Fhir.Model.Bundle.BundleType.Searchset, Id = Guid.NewGuid().ToString("N"), Total = result.Total, Meta = new Meta { LastUpdated = DateTimeOffset.UtcNow } };
        var self = $"{FhirHttp.BaseUrl(context.Request)}/{type}";
        bundle.Link.Add(new Bundle.LinkComponent { Relation = "self", Url = PageUrl(self, query, query.Offset, result.Snapshot) });
        if (result.HasNext)
            bundle.Link.Add(new Bundle.LinkComponent { Relation = "next", Url = PageUrl(self, query, query.Offset + query.Count, result.Snapshot) });
        if (query.Offset > 0)
            bundle.Link.Add(new Bundle.LinkComponent { Relation = "previous", Url = PageUrl(self, query, Math.Max(0, query.Offset - query.Count), result.Snapshot) });
        foreach (var match in result.Matches)
            bundle.Entry.Add(FhirHttp.Entry(context.Request, match, Hl7.Fhir.Model.Bundle.SearchEntryMode.Match));
        foreach (var included in result.Included)
            bundle.Entry.Add(FhirHttp.Entry(context.Request, included, Hl7.Fhir.Model.Bundle.SearchEntryMode.Include));
        if (query.Ignored.Count > 0)
        {
            bundle.Entry.Add(new Bundle.EntryComponent
            {
                Resource = Outcomes.Information($"Ignored unknown search parameters: {string.Join(", ", query.Ignored)}."),
                Search = new Bundle.SearchComponent { Mode = Hl7.Fhir.Model.Bundle.SearchEntryMode.Outcome },
            });
        }
        // _summary and _elements shape the entries' resources, not the bundle (search.html#summary).
        var shape = FhirHttp.Shape(context.Request);
        return FhirHttp.Write(context, ShapeEntries(bundle, shape), StatusCodes.Status200OK, shape with { Summary = null, Elements = null });
    }

    private static Bundle ShapeEntries(Bundle bundle, ResponseShape shape)
    {
        if (shape.IsFullResource || shape.Summary == "count")
        {
            if (shape.Summary == "count")
                bundle.Entry.RemoveAll(e => e.Search?.Mode != Hl7.Fhir.Model.Bundle.SearchEntryMode.Outcome);
            return bundle;
        }
        var filter = FhirFormats.FilterFor(shape);
        StoredEntries.Materialize(bundle);
        foreach (var entry in bundle.Entry.Where(e => e.Resource is not null && e.Search?.Mode != Hl7.Fhir.Model.Bundle.SearchEntryMode.Outcome))
        {
            var json = FhirFormats.SerializeJson(entry.Resource!, false, filter);
            var shaped = FhirFormats.ParseJson(json);
            // search.html#summary: a summarised resource carries the SUBSETTED tag.
            shaped.Meta ??= new Meta();
            shaped.Meta.Tag.Add(new Coding("http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "SUBSETTED"));
            entry.Resource = shaped;
        }
        return bundle;
    }

    private static string PageUrl(string self, SearchQuery query, int offset, DateTime snapshot)
    {
        var parts = query.Echo.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}").ToList();
        parts.Add($"_count={query.Count}");
        parts.Add($"_offset={offset}");
        parts.Add($"_snapshot={Uri.EscapeDataString(snapshot.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture))}");
        return self + "?" + string.Join('&', parts);
    }

    private static async Task<IResult> Bundle(HttpContext context, PhrOptions options, BundleProcessor processor, CancellationToken cancellationToken)
    {
        var resource = await FhirHttp.ReadResourceAsync(context.Request, options, null, cancellationToken);
        if (resource is not Bundle bundle)
            throw FhirProblem.BadRequest($"POST [base] takes a Bundle, not a {resource.TypeName}.", "resourceType");
        var response = await processor.ProcessAsync(bundle, FhirHttp.Return(context.Request), cancellationToken);
        return FhirHttp.Write(context, response);
    }

    private static Task<IResult> SystemHistory(HttpContext context, ResourceService resources, CancellationToken cancellationToken) =>
        HistoryAsync(context, null, null, resources, cancellationToken);

    private static Task<IResult> TypeHistory(HttpContext context, string type, ResourceService resources, CancellationToken cancellationToken) =>
        HistoryAsync(context, type, null, resources, cancellationToken);

    private static Task<IResult> InstanceHistory(HttpContext context, string type, string id, ResourceService resources, CancellationToken cancellationToken) =>
        HistoryAsync(context, type, id, resources, cancellationToken);

    private static async Task<IResult> HistoryAsync(HttpContext context, string? type, string? id, ResourceService resources, CancellationToken cancellationToken)
    {
        var q = context.Request.Query;
        var query = new HistoryQuery(type, id)
        {
            Since = Instant(q["_since"].FirstOrDefault(), "_since"),
            At = Instant(q["_at"].FirstOrDefault(), "_at"),
            Snapshot = Instant(q["_snapshot"].FirstOrDefault(), "_snapshot"),
            Count = int.TryParse(q["_count"].FirstOrDefault(), out var count) ? Math.Clamp(count, 1, SearchQueryParser.MaxCount) : SearchQueryParser.DefaultCount,
            Offset = int.TryParse(q["_offset"].FirstOrDefault(), out var offset) ? Math.Max(0, offset) : 0,
        };
        var page = await resources.HistoryAsync(query, cancellationToken);
        var baseUrl = FhirHttp.BaseUrl(context.Request);
        var bundle = new Bundle { Type = Hl7.Fhir.Model.Bundle.BundleType.History, Id = Guid.NewGuid().ToString("N"), Total = page.Total };
        var self = baseUrl + context.Request.Path;
        string Link(int at) => $"{self}?_count={query.Count}&_offset={at}&_snapshot={Uri.EscapeDataString(page.Snapshot.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture))}"
            + (query.Since is { } s ? "&_since=" + Uri.EscapeDataString(s.ToString("o", CultureInfo.InvariantCulture)) : "")
            + (query.At is { } a ? "&_at=" + Uri.EscapeDataString(a.ToString("o", CultureInfo.InvariantCulture)) : "");
        bundle.Link.Add(new Bundle.LinkComponent { Relation = "self", Url = Link(query.Offset) });
        if (page.HasNext)
            bundle.Link.Add(new Bundle.LinkComponent { Relation = "next", Url = Link(query.Offset + query.Count) });
        if (query.Offset > 0)
            bundle.Link.Add(new Bundle.LinkComponent { Relation = "previous", Url = Link(Math.Max(0, query.Offset - query.Count)) });
        foreach (var version in page.Entries)
        {
            var entry = FhirHttp.Entry(context.Request, version, null);
            var method = Enum.Parse<Hl7.Fhir.Model.Bundle.HTTPVerb>(version.Method == "PATCH" ? "PATCH" : version.Method);
            entry.Request = new Bundle.RequestComponent { Method = method, Url = method == Hl7.Fhir.Model.Bundle.HTTPVerb.POST ? version.ResourceType : $"{version.ResourceType}/{version.Id}" };
            entry.Response = new Bundle.ResponseComponent
            {
                Status = version.IsDeleted ? "204" : version.Version == 1 ? "201" : "200",
                Etag = version.ETag,
                LastModified = new DateTimeOffset(version.LastUpdated, TimeSpan.Zero),
            };
            bundle.Entry.Add(entry);
        }
        return FhirHttp.Write(context, bundle);
    }

    private static DateTime? Instant(string? value, string name)
    {
        if (string.IsNullOrEmpty(value))
            return null;
        return FhirDateRange.TryParse(value, out var range) ? range.Low : throw FhirProblem.BadRequest($"{name}='{value}' is not an instant.", name);
    }

    private static async Task<IResult> ValidateType(HttpContext context, string type, PhrOptions options, ProfileValidator validator, ResourceService resources, CancellationToken cancellationToken)
    {
        resources.EnsureSupported(type);
        var (resource, profile) = await ValidationInputAsync(context, options, type, cancellationToken);
        return FhirHttp.Write(context, validator.Validate(resource, profile) is var outcome && outcome.Issue.Count == 0 ? Outcomes.Information("No issues.") : outcome);
    }

    private static async Task<IResult> ValidateInstance(HttpContext context, string type, string id, PhrOptions options, ProfileValidator validator, ResourceService resources, CancellationToken cancellationToken)
    {
        resources.EnsureSupported(type);
        Resource resource;
        string? profile = context.Request.Query["profile"].FirstOrDefault();
        if (context.Request.ContentLength is null or 0 && !context.Request.Headers.ContainsKey("Transfer-Encoding"))
            resource = (await resources.ReadAsync(type, id, cancellationToken)).ToPoco();
        else
            (resource, profile) = await ValidationInputAsync(context, options, type, cancellationToken);
        var outcome = validator.Validate(resource, profile);
        return FhirHttp.Write(context, outcome.Issue.Count == 0 ? Outcomes.Information("No issues.") : outcome);
    }

    // resource-operation-validate.html: the body is the resource, or Parameters with resource and profile.
    private static async Task<(Resource Resource, string? Profile)> ValidationInputAsync(HttpContext context, PhrOptions options, string type, CancellationToken cancellationToken)
    {
        var body = await FhirHttp.ReadResourceAsync(context.Request, options, null, cancellationToken);
        var profile = context.Request.Query["profile"].FirstOrDefault();
        if (body is Parameters parameters && type != "Parameters")
        {
            var resource = parameters.GetSingle("resource")?.Resource ?? throw FhirProblem.BadRequest("$validate Parameters need a 'resource' parameter.");
            profile ??= (parameters.GetSingle("profile")?.Value as FhirUri)?.Value ?? (parameters.GetSingle("profile")?.Value as Canonical)?.Value;
            return (resource, profile);
        }
        if (body.TypeName != type)
            throw FhirProblem.BadRequest($"The body is a {body.TypeName} but the URL names {type}.", "resourceType");
        return (body, profile);
    }

    private static async Task<IResult> Everything(HttpContext context, string id, EverythingService everything, CancellationToken cancellationToken)
    {
        var since = Instant(context.Request.Query["_since"].FirstOrDefault(), "_since");
        var found = await everything.EverythingAsync(id, since, cancellationToken);
        var bundle = new Bundle { Type = Hl7.Fhir.Model.Bundle.BundleType.Searchset, Id = Guid.NewGuid().ToString("N"), Total = found.Count };
        foreach (var stored in found)
            bundle.Entry.Add(FhirHttp.Entry(context.Request, stored, Hl7.Fhir.Model.Bundle.SearchEntryMode.Match));
        return FhirHttp.Write(context, bundle);
    }
}
