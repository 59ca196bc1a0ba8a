using System.Text.Json;
using System.Text.Json.Nodes;

namespace Fhir.Phr.Core.Patching;

/// <summary>Why a JSON Patch could not be applied.</summary>
internal enum JsonPatchErrorKind
{
    /// <summary>The patch document itself is not a valid RFC 6902 document (RFC 5789 section 2.2 "malformed patch document").</summary>
    Malformed,

    /// <summary>The patch is well formed but cannot be applied to this document, e.g. a missing path or a failed "test".</summary>
    NotApplicable,
}

/// <summary>A JSON Patch failure: which operation (0-based, or -1 for the document as a whole), which path and why.</summary>
internal sealed record JsonPatchError(JsonPatchErrorKind Kind, int OperationIndex, string? Operation, string? Path, string Reason)
{
    public string Message
    {
        get
        {
            if (OperationIndex < 0)
            {
                return Path is null ? $"Invalid JSON Patch: {Reason}" : $"JSON Patch at '{Path}': {Reason}";
            }

            var what = Operation is null ? string.Empty : $" ({Operation})";
            var where = Path is null ? string.Empty : $" at path '{Path}'";
            return $"JSON Patch operation {OperationIndex}{what}{where}: {Reason}";
        }
    }
}

/// <summary>The outcome of applying a JSON Patch: the new document, or the error.</summary>
internal sealed class JsonPatchOutcome
{
    private JsonPatchOutcome(bool succeeded, JsonNode? document, JsonPatchError? error)
    {
        Succeeded = succeeded;
        Document = document;
        Error = error;
    }

    public bool Succeeded { get; }

    /// <summary>The patched document (may be null when the patched document is the JSON literal null).</summary>
    public JsonNode? Document { get; }

    public JsonPatchError? Error { get; }

    public static JsonPatchOutcome Success(JsonNode? document) => new(true, document, null);

    public static JsonPatchOutcome Failure(JsonPatchError error) => new(false, null, error);
}

/// <summary>
/// RFC 6902 JSON Patch over System.Text.Json.Nodes. Atomic (section 5: "If a normative requirement
/// is violated ... the entire patch document SHALL NOT be deemed successful"): operations run on a
/// deep clone, so the caller's document is never modified, and a failure returns no document.
/// </summary>
internal static class JsonPatch
{
    private static readonly string[] KnownOperations = ["add", "remove", "replace", "move", "copy", "test"];

    /// <summary>Applies <paramref name="patch"/> (a JSON array of operations) to a copy of <paramref name="document"/>.</summary>
    public static JsonPatchOutcome Apply(JsonNode? document, JsonNode? patch)
    {
        // Section 3: "A JSON Patch document is a JSON document that represents an array of objects."
        if (patch is not JsonArray operations)
        {
            return JsonPatchOutcome.Failure(new JsonPatchError(JsonPatchErrorKind.Malformed, -1, null, null, "the patch document must be a JSON array of operation objects"));
        }

        var state = new State(document?.DeepClone());
        for (var i = 0; i < operations.Count; i++)
        {
            JsonPatchError? error;
            try
            {
                error = ApplyOperation(state, operations[i], i);
            }
            catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
            {
                // System.Text.Json.Nodes guards its tree invariants with exceptions; report them
                // as a failed operation rather than let them escape (the clone is discarded).
                error = new JsonPatchError(JsonPatchErrorKind.NotApplicable, i, null, null, ex.Message);
            }

            if (error is not null)
            {
                return JsonPatchOutcome.Failure(error);
            }
        }

        return JsonPatchOutcome.Success(state.Root);
    }

    /// <summary>Parses UTF-8 JSON and applies it as a patch; invalid JSON is a malformed patch.</summary>
    public static JsonPatchOutcome Apply(JsonNode? document, ReadOnlySpan<byte> patchUtf8)
    {
        JsonNode? patch;
        try
        {
            patch = JsonNode.Parse(patchUtf8);
        }
        catch (JsonException ex)
        {
            return JsonPatchOutcome.Failure(new JsonPatchError(JsonPatchErrorKind.Malformed, -1, null, null, $"not valid JSON: {ex.Message}"));
        }

        return Apply(document, patch);
    }

    private static JsonPatchError? ApplyOperation(State state, JsonNode? node, int index)
    {
        if (node is not JsonObject operation)
        {
            return new JsonPatchError(JsonPatchErrorKind.Malformed, index, null, null, "an operation must be a JSON object");
        }

        // Section 4: "op" and "path" are mandatory strings; members not defined for an operation are ignored.
        if (!TryGetString(operation, "op", out var op))
        {
            return new JsonPatchError(JsonPatchErrorKind.Malformed, index, null, null, "member 'op' is missing or not a string");
        }

        if (!KnownOperations.Contains(op, StringComparer.Ordinal))
        {
            return new JsonPatchError(JsonPatchErrorKind.Malformed, index, op, null, $"unknown operation '{op}'; expected one of {string.Join(", ", KnownOperations)}");
        }

        if (!TryGetString(operation, "path", out var pathText))
        {
            return new JsonPatchError(JsonPatchErrorKind.Malformed, index, op, null, "member 'path' is missing or not a string");
        }

        if (!JsonPointer.TryParse(pathText, out var path, out var pointerError))
        {
            return new JsonPatchError(JsonPatchErrorKind.Malformed, index, op, pathText, pointerError);
        }

        var context = new OperationContext(index, op, pathText);
        switch (op)
        {
            case "add":
                return TryGetValue(operation, context, out var addValue, out var addError)
                    ? Add(state, path, addValue, context)
                    : addError;

            case "remove":
                return Remove(state, path, context, out _);

            case "replace":
                return TryGetValue(operation, context, out var replaceValue, out var replaceError)
                    ? Replace(state, path, replaceValue, context)
                    : replaceError;

            case "move":
                return TryGetFrom(operation, context, out var moveFrom, out var moveError)
                    ? Move(state, moveFrom, path, context)
                    : moveError;

            case "copy":
                return TryGetFrom(operation, context, out var copyFrom, out var copyError)
                    ? Copy(state, copyFrom, path, context)
                    : copyError;

            default:
                return TryGetValue(operation, context, out var testValue, out var testError)
                    ? Test(state, path, testValue, context)
                    : testError;
        }
    }

    // Section 4.1 add: the target's parent must exist; an object member is added or replaced, an
    // array element is inserted at the index (or appended for "-"), the root is replaced.
    private static JsonPatchError? Add(State state, JsonPointer path, JsonNode? value, OperationContext context)
    {
        if (path.IsRoot)
        {
            state.Root = value;
            return null;
        }

        var parentError = ResolveContainer(state, path, context, out var container);
        if (parentError is not null)
        {
            return parentError;
        }

        var token = path.LastToken;
        if (container is JsonObject obj)
        {
            obj[token] = value;
            return null;
        }

        var array = (JsonArray)container!;
        if (token == "-")
        {
            array.Add(value);
            return null;
        }

        if (!JsonPointer.TryParseArrayIndex(token, out var index))
        {
            return context.NotApplicable($"'{token}' is not a valid array index (digits without leading zeros, or '-')");
        }

        if (index > array.Count)
        {
            return context.NotApplicable($"array index {index} is out of bounds: the array has {array.Count} element(s), so the largest index for add is {array.Count}");
        }

        array.Insert(index, value);
        return null;
    }

    // Section 4.2 remove: the target location MUST exist.
    private static JsonPatchError? Remove(State state, JsonPointer path, OperationContext context, out JsonNode? removed)
    {
        removed = null;
        if (path.IsRoot)
        {
            return context.NotApplicable("the whole document cannot be removed");
        }

        var parentError = ResolveContainer(state, path, context, out var container);
        if (parentError is not null)
        {
            return parentError;
        }

        var token = path.LastToken;
        if (container is JsonObject obj)
        {
            if (!obj.TryGetPropertyValue(token, out removed))
            {
                return context.NotApplicable($"member '{token}' does not exist");
            }

            obj.Remove(token);
            return null;
        }

        var array = (JsonArray)container!;
        var indexError = ResolveExistingIndex(array, token, context, out var index);
        if (indexError is not null)
        {
            return indexError;
        }

        removed = array[index];
        array.RemoveAt(index);
        return null;
    }

    // Section 4.3 replace: the target location MUST exist; same as remove followed by add.
    private static JsonPatchError? Replace(State state, JsonPointer path, JsonNode? value, OperationContext context)
    {
        if (path.IsRoot)
        {
            state.Root = value;
            return null;
        }

        var parentError = ResolveContainer(state, path, context, out var container);
        if (parentError is not null)
        {
            return parentError;
        }

        var token = path.LastToken;
        if (container is JsonObject obj)
        {
            if (!obj.ContainsKey(token))
            {
                return context.NotApplicable($"member '{token}' does not exist, so it cannot be replaced");
            }

            obj[token] = value;
            return null;
        }

        var array = (JsonArray)container!;
        var indexError = ResolveExistingIndex(array, token, context, out var index);
        if (indexError is not null)
        {
            return indexError;
        }

        array[index] = value;
        return null;
    }

    // Section 4.4 move: "from" MUST exist and MUST NOT be a proper prefix of "path"; same as
    // remove at "from" followed by add at "path".
    private static JsonPatchError? Move(State state, JsonPointer from, JsonPointer path, OperationContext context)
    {
        if (from.IsProperPrefixOf(path))
        {
            return context.NotApplicable($"'from' ({from}) is a proper prefix of 'path': a value cannot be moved into one of its own children");
        }

        var fromContext = context with { Path = from.Text, Role = "from" };
        if (from.IsSameLocationAs(path))
        {
            return Resolve(state, from, fromContext, out _);
        }

        var removeError = Remove(state, from, fromContext, out var value);
        return removeError ?? Add(state, path, value, context);
    }

    // Section 4.5 copy: "from" MUST exist; its value is added (as a copy) at "path".
    private static JsonPatchError? Copy(State state, JsonPointer from, JsonPointer path, OperationContext context)
    {
        var resolveError = Resolve(state, from, context with { Path = from.Text, Role = "from" }, out var value);
        return resolveError ?? Add(state, path, value?.DeepClone(), context);
    }

    // Section 4.6 test: the value at "path" MUST exist and be equal to "value".
    private static JsonPatchError? Test(State state, JsonPointer path, JsonNode? expected, OperationContext context)
    {
        var resolveError = Resolve(state, path, context, out var actual);
        if (resolveError is not null)
        {
            return resolveError;
        }

        return JsonNodeEquality.DeepEquals(actual, expected)
            ? null
            : context.NotApplicable($"test failed: the value is {Describe(actual)}, expected {Describe(expected)}");
    }

    /// <summary>Finds the object or array that holds the last token of <paramref name="path"/>.</summary>
    private static JsonPatchError? ResolveContainer(State state, JsonPointer path, OperationContext context, out JsonNode? container)
    {
        var parentPath = path.Parent;
        var error = Resolve(state, parentPath, context, out container);
        if (error is not null)
        {
            // Section 4.1: missing objects are not created recursively.
            return context.NotApplicable($"the parent location '{parentPath}' does not exist");
        }

        if (container is JsonObject or JsonArray)
        {
            return null;
        }

        return context.NotApplicable($"the parent location '{parentPath}' is {Describe(container)}, not an object or array");
    }

    /// <summary>Evaluates a pointer against the current document (RFC 6901 section 4).</summary>
    private static JsonPatchError? Resolve(State state, JsonPointer pointer, OperationContext context, out JsonNode? value)
    {
        value = state.Root;
        for (var i = 0; i < pointer.Tokens.Count; i++)
        {
            var token = pointer.Tokens[i];
            switch (value)
            {
                case JsonObject obj:
                    if (!obj.TryGetPropertyValue(token, out value))
                    {
                        return context.NotApplicable($"location '{pointer}' does not exist (no member '{token}')");
                    }

                    break;

                case JsonArray array:
                    var indexError = ResolveExistingIndex(array, token, context, out var index);
                    if (indexError is not null)
                    {
                        return indexError;
                    }

                    value = array[index];
                    break;

                default:
                    return context.NotApplicable($"location '{pointer}' does not exist ({Describe(value)} has no child '{token}')");
            }
        }

        return null;
    }

    private static JsonPatchError? ResolveExistingIndex(JsonArray array, string token, OperationContext context, out int index)
    {
        if (token == "-")
        {
            index = -1;
            return context.NotApplicable("'-' refers to the element after the last one, which does not exist");
        }

        if (!JsonPointer.TryParseArrayIndex(token, out index))
        {
            return context.NotApplicable($"'{token}' is not a valid array index (digits without leading zeros)");
        }

        return index < array.Count
            ? null
            : context.NotApplicable($"array index {index} is out of bounds (the array has {array.Count} element(s))");
    }

    private static bool TryGetString(JsonObject operation, string member, out string value)
    {
        if (operation.TryGetPropertyValue(member, out var node) && node is JsonValue jv && jv.GetValueKind() == JsonValueKind.String)
        {
            value = jv.GetValue<string>();
            return true;
        }

        value = string.Empty;
        return false;
    }

    // "value" may legitimately be JSON null, so presence is checked separately from the value.
    private static bool TryGetValue(JsonObject operation, OperationContext context, out JsonNode? value, out JsonPatchError? error)
    {
        if (operation.TryGetPropertyValue("value", out var node))
        {
            value = node?.DeepClone();
            error = null;
            return true;
        }

        value = null;
        error = context.Malformed("member 'value' is required for this operation");
        return false;
    }

    private static bool TryGetFrom(JsonObject operation, OperationContext context, out JsonPointer from, out JsonPatchError? error)
    {
        from = null!;
        if (!TryGetString(operation, "from", out var fromText))
        {
            error = context.Malformed("member 'from' is missing or not a string");
            return false;
        }

        if (!JsonPointer.TryParse(fromText, out from, out var pointerError))
        {
            error = context.Malformed($"'from': {pointerError}");
            return false;
        }

        error = null;
        return true;
    }

    private static string Describe(JsonNode? node)
    {
        if (node is null)
        {
            return "null";
        }

        var text = node.ToJsonString();
        return text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 77), "...");
    }

    private sealed class State(JsonNode? root)
    {
        public JsonNode? Root { get; set; } = root;
    }

    private sealed record OperationContext(int Index, string Op, string Path)
    {
        public string? Role { get; init; }

        public JsonPatchError NotApplicable(string reason) =>
            new(JsonPatchErrorKind.NotApplicable, Index, Op, Path, Role is null ? reason : $"{Role}: {reason}");

        public JsonPatchError Malformed(string reason) =>
            new(JsonPatchErrorKind.Malformed, Index, Op, Path, reason);
    }
}
