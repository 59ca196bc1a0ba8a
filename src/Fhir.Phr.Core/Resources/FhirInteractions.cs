using System.Net;
using Fhir.Phr.Core.Errors;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Core.Resources;

/// <summary>The HTTP-level result of an interaction: status, what is stored, and where.</summary>
public sealed record InteractionResult(HttpStatusCode Status, StoredResource? Resource, OperationOutcome? Outcome = null)
{
    public string? Location => Resource is { IsDeleted: false } r && Status is HttpStatusCode.Created or HttpStatusCode.OK
        ? $"{r.ResourceType}/{r.Id}/_history/{r.Version}"
        : null;
}

/// <summary>
/// The write interactions with their conditional variants, shared by the REST endpoints and
/// by batch/transaction entries so that both behave exactly alike (R4 http.html).
/// </summary>
public sealed class FhirInteractions(ResourceService resources, ConditionalResolver conditional)
{
    /// <summary>create, and conditional create with If-None-Exist (http.html#ccreate).</summary>
    public async Task<InteractionResult> CreateAsync(Resource resource, string? ifNoneExist, CancellationToken cancellationToken, string? assignedId = null)
    {
        ArgumentNullException.ThrowIfNull(resource);
        if (!string.IsNullOrWhiteSpace(ifNoneExist))
        {
            var matches = await conditional.FindAsync(resource.TypeName, ifNoneExist, cancellationToken);
            if (matches.Count == 1)
                return new InteractionResult(HttpStatusCode.OK, matches[0]);
            if (matches.Count > 1)
                throw FhirProblem.Of(HttpStatusCode.PreconditionFailed, OperationOutcome.IssueType.MultipleMatches, $"If-None-Exist '{ifNoneExist}' matches more than one {resource.TypeName}.");
        }
        var outcome = await resources.CreateAsync(resource, assignedId ?? Guid.NewGuid().ToString("N"), cancellationToken);
        return new InteractionResult(HttpStatusCode.Created, outcome.Resource, outcome.Warnings);
    }

    public async Task<InteractionResult> UpdateAsync(Resource resource, string id, int? ifMatch, CancellationToken cancellationToken)
    {
        var outcome = await resources.UpdateAsync(resource, id, ifMatch, cancellationToken);
        return new InteractionResult(outcome.Created ? HttpStatusCode.Created : HttpStatusCode.OK, outcome.Resource, outcome.Warnings);
    }

    /// <summary>Conditional update (http.html#cond-update): none -> create, one -> update it, many -> 412.</summary>
    public async Task<InteractionResult> ConditionalUpdateAsync(Resource resource, string criteria, int? ifMatch, CancellationToken cancellationToken, string? idIfCreated = null)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var matches = await conditional.FindAsync(resource.TypeName, criteria, cancellationToken);
        switch (matches.Count)
        {
            case 0:
                var id = resource.Id ?? idIfCreated ?? Guid.NewGuid().ToString("N");
                return await UpdateAsync(resource, id, ifMatch, cancellationToken);
            case 1:
                if (resource.Id is not null && resource.Id != matches[0].Id)
                    throw FhirProblem.BadRequest($"The resource id '{resource.Id}' differs from the matched {resource.TypeName}/{matches[0].Id}.", "Resource.id");
                return await UpdateAsync(resource, matches[0].Id, ifMatch, cancellationToken);
            default:
                throw FhirProblem.Of(HttpStatusCode.PreconditionFailed, OperationOutcome.IssueType.MultipleMatches, $"The criteria '{criteria}' match more than one {resource.TypeName}.");
        }
    }

    public async Task<InteractionResult> DeleteAsync(string type, string id, int? ifMatch, CancellationToken cancellationToken)
    {
        var deleted = await resources.DeleteAsync(type, id, ifMatch, cancellationToken);
        return new InteractionResult(HttpStatusCode.NoContent, deleted);
    }

    /// <summary>Conditional delete (http.html#cdelete), single-match mode: many matches -> 412.</summary>
    public async Task<InteractionResult> ConditionalDeleteAsync(string type, string criteria, CancellationToken cancellationToken)
    {
        resources.EnsureSupported(type);
        var matches = await conditional.FindAsync(type, criteria, cancellationToken);
        return matches.Count switch
        {
            0 => new InteractionResult(HttpStatusCode.NoContent, null, Outcomes.Information($"No {type} matched '{criteria}'; nothing was deleted.")),
            1 => await DeleteAsync(type, matches[0].Id, null, cancellationToken),
            _ => throw FhirProblem.Of(HttpStatusCode.PreconditionFailed, OperationOutcome.IssueType.MultipleMatches, $"The criteria '{criteria}' match more than one {type}; this server deletes one resource per conditional delete."),
        };
    }

    /// <summary>Resolves conditional criteria of a PATCH or other instance operation to exactly one id.</summary>
    public async Task<string> ResolveSingleAsync(string type, string criteria, CancellationToken cancellationToken)
    {
        var matches = await conditional.FindAsync(type, criteria, cancellationToken);
        return matches.Count switch
        {
            1 => matches[0].Id,
            0 => throw FhirProblem.NotFound($"No {type} matches '{criteria}'."),
            _ => throw FhirProblem.Of(HttpStatusCode.PreconditionFailed, OperationOutcome.IssueType.MultipleMatches, $"The criteria '{criteria}' match more than one {type}."),
        };
    }
}
