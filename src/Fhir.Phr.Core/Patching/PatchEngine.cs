using System.Text.Json;
using System.Text.Json.Nodes;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Hl7.Fhir.Utility;

namespace Fhir.Phr.Core.Patching;

/// <summary>
/// The FHIR R4 PATCH interaction's engine (http://hl7.org/fhir/R4/http.html#patch): applies a JSON
/// Patch (RFC 6902, Content-Type application/json-patch+json) or a FHIRPath Patch (a Parameters
/// resource, http://hl7.org/fhir/R4/fhirpatch.html) to a resource. Never modifies its inputs and
/// never throws for bad patches: failures come back as a <see cref="PatchResult"/> with an
/// OperationOutcome. Version checks (If-Match), storage and meta are the caller's business.
/// </summary>
public static class PatchEngine
{
    // SDK 6's System.Text.Json converter; created once because the options cache type metadata.
    private static readonly JsonSerializerOptions FhirJson = new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector);

    /// <summary>Applies an RFC 6902 JSON Patch document (UTF-8 JSON) to a copy of <paramref name="resource"/>.</summary>
    public static PatchResult ApplyJsonPatch(Resource resource, ReadOnlySpan<byte> patchJson)
    {
        ArgumentNullException.ThrowIfNull(resource);

        // JSON Patch works on the resource's JSON representation (http.html#patch), so the
        // resource goes through the SDK's JSON serialiser and the result is parsed back.
        JsonNode? document;
        try
        {
            document = JsonSerializer.SerializeToNode(resource, FhirJson);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return PatchResult.Fail(PatchFailureKind.InvalidResult, $"The current resource cannot be represented as JSON, so it cannot be JSON-patched: {ex.Message}");
        }

        var outcome = JsonPatch.Apply(document, patchJson);
        if (!outcome.Succeeded)
        {
            var error = outcome.Error!;
            return PatchResult.Fail(
                error.Kind == JsonPatchErrorKind.Malformed ? PatchFailureKind.MalformedPatch : PatchFailureKind.NotApplicable,
                error.Message);
        }

        if (outcome.Document is not JsonObject patched)
        {
            return PatchResult.Fail(PatchFailureKind.InvalidResult, "The JSON Patch replaces the resource with something that is not a JSON object");
        }

        var identityError = CheckIdentityUnchanged(resource, patched);
        if (identityError is not null)
        {
            return identityError;
        }

        return ParseResult(patched);
    }

    /// <summary>Applies a FHIRPath Patch (fhirpatch.html) to a copy of <paramref name="resource"/>.</summary>
    public static PatchResult ApplyFhirPathPatch(Resource resource, Parameters patch)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(patch);

        var outcome = FhirPathPatch.Apply(resource, patch);
        if (outcome.Resource is not null)
        {
            // The same gate as for JSON Patch: what is stored must be what the server would accept
            // from a client, e.g. no unknown code in a required binding, no broken xhtml.
            JsonNode? json;
            try
            {
                json = JsonSerializer.SerializeToNode(outcome.Resource, FhirJson);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                return PatchResult.Fail(PatchFailureKind.InvalidResult, $"The patched resource is not valid FHIR: {ex.Message}");
            }

            return json is JsonObject obj
                ? ParseResult(obj)
                : PatchResult.Fail(PatchFailureKind.InvalidResult, "The patched resource did not serialise to a JSON object");
        }

        var error = outcome.Error!;
        var kind = error.Kind == FhirPathPatchErrorKind.Malformed ? PatchFailureKind.MalformedPatch
            : error.OperationIndex < 0 ? PatchFailureKind.InvalidResult
            : PatchFailureKind.NotApplicable;
        return PatchResult.Fail(kind, error.Message, error.Path);
    }

    /// <summary>
    /// Parses the patched JSON with the SDK's (strict by default) deserialiser: a result that does
    /// not parse is refused with the parser's own messages, one issue each (they name the element).
    /// </summary>
    private static PatchResult ParseResult(JsonObject patched)
    {
        try
        {
            var result = patched.Deserialize<Resource>(FhirJson);
            return result is null
                ? PatchResult.Fail(PatchFailureKind.InvalidResult, "The patched resource is empty")
                : PatchResult.Success(result);
        }
        catch (DeserializationFailedException ex)
        {
            // A patch may legitimately leave nothing but resourceType (the HL7 cases "Delete
            // Primitive" etc. do); the parser calls that root object empty, which is no reason to
            // refuse it. An empty element anywhere below the root still is.
            if (ex.PartialResult is Resource partial && ex.Exceptions.All(IsEmptyRootObject))
            {
                return PatchResult.Success(partial);
            }

            var issues = ex.Exceptions.Count > 0
                ? ex.Exceptions.Select(e => ($"The patched resource is not valid FHIR: {e.Message}", (e as ExtendedCodedException)?.InstancePath))
                : [($"The patched resource is not valid FHIR: {ex.Message}", null)];
            return PatchResult.Fail(PatchFailureKind.InvalidResult, issues);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return PatchResult.Fail(PatchFailureKind.InvalidResult, $"The patched resource is not valid FHIR: {ex.Message}");
        }
    }

    // JSON120 "An object needs to have at least one property" and PVAL129 "Empty FHIR elements are
    // invalid", reported for the resource object itself ("$this").
    private static bool IsEmptyRootObject(CodedException exception) =>
        exception is ExtendedCodedException { InstancePath: "$this", ErrorCode: "JSON120" or "PVAL129" };

    // The server decides resourceType and id (http.html#patch: the patch applies to the resource at
    // [type]/[id]); a patch that changes either, by any op, is refused rather than silently undone.
    private static PatchResult? CheckIdentityUnchanged(Resource original, JsonObject patched)
    {
        var resourceType = patched["resourceType"] is JsonValue rt && rt.GetValueKind() == JsonValueKind.String ? rt.GetValue<string>() : null;
        if (!string.Equals(resourceType, original.TypeName, StringComparison.Ordinal))
        {
            return PatchResult.Fail(PatchFailureKind.InvalidResult, $"The JSON Patch changes resourceType from '{original.TypeName}' to '{resourceType ?? "(none)"}'; the resource type cannot be patched", "resourceType");
        }

        string? id = null;
        if (patched.TryGetPropertyValue("id", out var idNode))
        {
            if (idNode is not JsonValue iv || iv.GetValueKind() != JsonValueKind.String)
            {
                return PatchResult.Fail(PatchFailureKind.InvalidResult, "The JSON Patch makes 'id' something other than a string; the id is assigned by the server and cannot be patched", $"{original.TypeName}.id");
            }

            id = iv.GetValue<string>();
        }

        return string.Equals(id, original.Id, StringComparison.Ordinal)
            ? null
            : PatchResult.Fail(PatchFailureKind.InvalidResult, $"The JSON Patch changes id from '{original.Id ?? "(none)"}' to '{id ?? "(none)"}'; the id is assigned by the server and cannot be patched", $"{original.TypeName}.id");
    }
}
