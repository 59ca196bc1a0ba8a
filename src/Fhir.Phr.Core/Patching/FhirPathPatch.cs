using System.Collections;
using System.Text.RegularExpressions;
using Hl7.Fhir.FhirPath;
using Hl7.Fhir.Introspection;
using Hl7.Fhir.Model;
using Hl7.FhirPath;

namespace Fhir.Phr.Core.Patching;

/// <summary>Why a FHIRPath Patch could not be applied.</summary>
internal enum FhirPathPatchErrorKind
{
    /// <summary>The Parameters resource is not a valid FHIRPath Patch (unknown part, missing part, bad expression).</summary>
    Malformed,

    /// <summary>The patch is well formed but cannot be applied to this resource.</summary>
    NotApplicable,
}

/// <summary>A FHIRPath Patch failure: which operation (0-based, -1 for the patch as a whole), its path and why.</summary>
internal sealed record FhirPathPatchError(FhirPathPatchErrorKind Kind, int OperationIndex, string? Operation, string? Path, string Reason)
{
    public string Message
    {
        get
        {
            if (OperationIndex < 0)
            {
                return Path is null ? $"Invalid FHIRPath Patch: {Reason}" : $"FHIRPath Patch at '{Path}': {Reason}";
            }

            var what = Operation is null ? string.Empty : $" ({Operation})";
            var where = Path is null ? string.Empty : $" at path '{Path}'";
            return $"FHIRPath Patch operation {OperationIndex}{what}{where}: {Reason}";
        }
    }
}

/// <summary>The outcome of applying a FHIRPath Patch: the patched copy, or the error.</summary>
internal sealed class FhirPathPatchOutcome
{
    private FhirPathPatchOutcome(Resource? resource, FhirPathPatchError? error)
    {
        Resource = resource;
        Error = error;
    }

    public Resource? Resource { get; }

    public FhirPathPatchError? Error { get; }

    public static FhirPathPatchOutcome Success(Resource resource) => new(resource, null);

    public static FhirPathPatchOutcome Failure(FhirPathPatchError error) => new(null, error);
}

/// <summary>
/// FHIRPath Patch (http://hl7.org/fhir/R4/fhirpatch.html) applied to SDK POCOs. Paths are evaluated
/// with the SDK's FHIRPath engine over <see cref="PocoNode"/>, which reports for every selected
/// element its parent POCO, element name and list index; the change is then made on that parent
/// through the SDK's class mappings. Operations run in order on a deep copy: the input is never
/// changed, and any failure discards the copy (the patch is all or nothing).
/// </summary>
internal static partial class FhirPathPatch
{
    private static readonly ModelInspector Inspector = ModelInfo.ModelInspector;

    // One compiled-expression cache for the process; FHIRPath compilation is the expensive part.
    private static readonly FhirPathCompilerCache Compiler = new(new FhirPathCompiler(), 500);

    public static FhirPathPatchOutcome Apply(Resource resource, Parameters patch)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(patch);

        var operations = new List<FhirPathPatchOperation>();
        for (var i = 0; i < patch.Parameter.Count; i++)
        {
            var parameter = patch.Parameter[i];
            if (!string.Equals(parameter.Name, "operation", StringComparison.Ordinal))
            {
                return Fail(FhirPathPatchErrorKind.Malformed, i, null, null, $"parameter '{parameter.Name}' is not allowed: a FHIRPath Patch holds only parameters named 'operation'");
            }

            var operation = FhirPathPatchOperation.TryRead(parameter, i, out var readError);
            if (operation is null)
            {
                return Fail(FhirPathPatchErrorKind.Malformed, i, null, null, readError);
            }

            operations.Add(operation);
        }

        var copy = (Resource)resource.DeepCopy();
        foreach (var operation in operations)
        {
            FhirPathPatchError? error;
            try
            {
                error = operation.Type switch
                {
                    FhirPathPatchOperationType.Add => Add(copy, operation),
                    FhirPathPatchOperationType.Insert => Insert(copy, operation),
                    FhirPathPatchOperationType.Delete => Delete(copy, operation),
                    FhirPathPatchOperationType.Replace => Replace(copy, operation),
                    _ => Move(copy, operation),
                };
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The SDK signals semantic problems (e.g. a value a POCO property cannot hold, via
                // reflection) with exceptions of many types; the contract of this engine is that a
                // bad patch is reported as a failed operation, never as an exception.
                error = NotApplicable(operation, ex.InnerException?.Message ?? ex.Message);
            }

            if (error is not null)
            {
                return FhirPathPatchOutcome.Failure(error);
            }
        }

        // fhirpatch.html does not let a patch change the identity of the resource; the server owns
        // Resource.id (http.html#patch: the patched resource is stored under the same id).
        if (!string.Equals(copy.Id, resource.Id, StringComparison.Ordinal))
        {
            return Fail(FhirPathPatchErrorKind.NotApplicable, -1, null, $"{resource.TypeName}.id", $"the patch changes Resource.id from '{resource.Id}' to '{copy.Id}'; the id is assigned by the server and cannot be patched");
        }

        // Deleting the last child of an element leaves an empty element, which FHIR does not allow
        // (json.html / xml.html: elements have a value or children); remove such leftovers.
        EmptyElementPruner.Prune(copy);
        return FhirPathPatchOutcome.Success(copy);
    }

    // add: "The content will be appended to the element identified in the path, using the name
    // specified. Add can used for non-repeating elements as long as they do not already exist."
    private static FhirPathPatchError? Add(Resource root, FhirPathPatchOperation op)
    {
        var selectError = SelectSingle(root, op, out var container);
        if (selectError is not null)
        {
            return selectError;
        }

        if (container is null)
        {
            return NotApplicable(op, $"No content found at {op.Path} when adding");
        }

        var target = container.Poco;
        if (!TryFindProperty(target.GetType(), op.Name!, out var property))
        {
            return NotApplicable(op, $"'{op.Name}' is not an element of {target.TypeName}");
        }

        var valueError = FhirPatchValueBuilder.Build(op.Value!, property, out var value);
        if (valueError is not null)
        {
            return NotApplicable(op, valueError);
        }

        if (property.IsCollection)
        {
            GetList(target, property).Add(value);
            return null;
        }

        if (GetProperty(target, property) is not null)
        {
            return NotApplicable(op, $"{target.TypeName}.{property.Name} already has a value; add only sets a non-repeating element that does not exist yet (use replace)");
        }

        SetProperty(target, property, value);
        return null;
    }

    // insert: "The content will be inserted into the nominated list at the index specified (0
    // based). The index is mandatory and must be equal or less than the number of elements in the list."
    private static FhirPathPatchError? Insert(Resource root, FhirPathPatchOperation op)
    {
        var listError = ResolveList(root, op, out var owner, out var property);
        if (listError is not null)
        {
            return listError;
        }

        var list = GetList(owner!, property!);
        var index = op.InsertIndex!.Value;
        if (index > list.Count)
        {
            return NotApplicable(op, $"index {index} is out of range: the list has {list.Count} element(s), so the index must be between 0 and {list.Count}");
        }

        var valueError = FhirPatchValueBuilder.Build(op.Value!, property!, out var value);
        if (valueError is not null)
        {
            return NotApplicable(op, valueError);
        }

        list.Insert(index, value);
        return null;
    }

    // delete: "Only a single element can be deleted"; a path that finds nothing is not an error
    // ("Path of the element to delete (if found)").
    private static FhirPathPatchError? Delete(Resource root, FhirPathPatchOperation op)
    {
        var selectError = SelectSingle(root, op, out var node);
        if (selectError is not null || node is null)
        {
            return selectError;
        }

        var locateError = Locate(op, node, out var owner, out var property);
        if (locateError is not null)
        {
            return locateError;
        }

        if (property!.IsCollection)
        {
            var list = GetList(owner!, property);
            list.RemoveAt(IndexOf(list, node.Poco, node.Index));
        }
        else
        {
            SetProperty(owner!, property, null);
        }

        return null;
    }

    // replace: the path must select exactly one element, which is replaced by the value.
    private static FhirPathPatchError? Replace(Resource root, FhirPathPatchOperation op)
    {
        var selectError = SelectSingle(root, op, out var node);
        if (selectError is not null)
        {
            return selectError;
        }

        if (node is null)
        {
            return NotApplicable(op, $"No content found at {op.Path} when replacing");
        }

        var locateError = Locate(op, node, out var owner, out var property);
        if (locateError is not null)
        {
            return locateError;
        }

        var valueError = FhirPatchValueBuilder.Build(op.Value!, property!, out var value);
        if (valueError is not null)
        {
            return NotApplicable(op, valueError);
        }

        if (property!.IsCollection)
        {
            var list = GetList(owner!, property);
            list[IndexOf(list, node.Poco, node.Index)] = value;
        }
        else
        {
            SetProperty(owner!, property, value);
        }

        return null;
    }

    // move: "Move an element within a single list": take the element at source out, then insert it
    // at destination in the shortened list (the test cases' "Reorder List" semantics).
    private static FhirPathPatchError? Move(Resource root, FhirPathPatchOperation op)
    {
        var listError = ResolveList(root, op, out var owner, out var property);
        if (listError is not null)
        {
            return listError;
        }

        var list = GetList(owner!, property!);
        var source = op.Source!.Value;
        var destination = op.Destination!.Value;
        if (source >= list.Count)
        {
            return NotApplicable(op, $"source index {source} is out of range: the list has {list.Count} element(s)");
        }

        if (destination >= list.Count)
        {
            return NotApplicable(op, $"destination index {destination} is out of range: the list has {list.Count} element(s)");
        }

        var item = list[source];
        list.RemoveAt(source);
        list.Insert(destination, item);
        return null;
    }

    /// <summary>Evaluates the path; more than one match is an error, none yields null.</summary>
    private static FhirPathPatchError? SelectSingle(Resource root, FhirPathPatchOperation op, out PocoNode? node)
    {
        node = null;
        var selectError = Select(root, op, op.Path, out var matches);
        if (selectError is not null)
        {
            return selectError;
        }

        if (matches.Count > 1)
        {
            return NotApplicable(op, $"the path selects {matches.Count} elements; it must select exactly one");
        }

        node = matches.Count == 1 ? matches[0] : null;
        return null;
    }

    private static FhirPathPatchError? Select(Resource root, FhirPathPatchOperation op, string expression, out List<PocoNode> matches)
    {
        matches = [];
        try
        {
            // Compiled (and cached) first, so that a syntax error is told apart from a runtime failure.
            Compiler.GetCompiledExpression(expression);
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or ArgumentException or NotSupportedException)
        {
            return new FhirPathPatchError(FhirPathPatchErrorKind.Malformed, op.Index, op.TypeName, op.Path, $"'{expression}' is not a valid FHIRPath expression: {ex.Message}");
        }

        try
        {
            var rootNode = root.ToPocoNode(Inspector);
            matches = Compiler.Select(rootNode, expression, new FhirEvaluationContext()).ToList();
            return null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Runtime FHIRPath errors (e.g. a function applied to a collection) are the patch's fault.
            return NotApplicable(op, $"evaluating '{expression}' failed: {ex.Message}");
        }
    }

    /// <summary>Finds the POCO and element that hold a selected node.</summary>
    private static FhirPathPatchError? Locate(FhirPathPatchOperation op, PocoNode node, out Base? owner, out PropertyMapping? property)
    {
        owner = null;
        property = null;
        if (node.Parent is null)
        {
            return NotApplicable(op, node.Poco is Resource
                ? "the path selects the resource itself, which cannot be deleted, replaced or used as a list"
                : "the path selects a FHIRPath value, not an element of the resource");
        }

        owner = node.Parent.Poco;
        if (!TryFindProperty(owner.GetType(), node.Name, out property))
        {
            return NotApplicable(op, $"the selected element '{node.Name}' cannot be changed through the model of {owner.TypeName}");
        }

        return null;
    }

    /// <summary>
    /// Finds the list that insert and move work on. fhirpatch.html: path is "the collection". When
    /// the list has members, the path must select all of them (so that indexes are unambiguous);
    /// when it is empty, the path is split into its parent expression and a final element name.
    /// </summary>
    private static FhirPathPatchError? ResolveList(Resource root, FhirPathPatchOperation op, out Base? owner, out PropertyMapping? property)
    {
        owner = null;
        property = null;
        var selectError = Select(root, op, op.Path, out var matches);
        if (selectError is not null)
        {
            return selectError;
        }

        if (matches.Count > 0)
        {
            var first = matches[0];
            var locateError = Locate(op, first, out owner, out property);
            if (locateError is not null)
            {
                return locateError;
            }

            var ownerPoco = owner!;
            if (!property!.IsCollection)
            {
                return NotApplicable(op, $"{ownerPoco.TypeName}.{property.Name} is not a list");
            }

            var list = GetList(ownerPoco, property);
            var allFromThisList = matches.All(m => m.Parent is not null && ReferenceEquals(m.Parent.Poco, ownerPoco) && string.Equals(m.Name, first.Name, StringComparison.Ordinal));
            if (!allFromThisList || matches.Count != list.Count)
            {
                return NotApplicable(op, $"the path must select one whole list, but it selects {matches.Count} element(s) that are not exactly the {list.Count} element(s) of {ownerPoco.TypeName}.{property.Name}");
            }

            return null;
        }

        // Nothing selected: the list is empty (or the path is wrong). Only a path that ends in a
        // plain element name ("X.identifier") can still be resolved, through its parent.
        var split = TrailingElementName().Match(op.Path);
        if (!split.Success)
        {
            return NotApplicable(op, $"No content found at {op.Path}, and the path does not end in an element name whose parent could be found");
        }

        var parentPath = split.Groups["parent"].Value;
        var name = split.Groups["name"].Value;
        var parentError = Select(root, op, parentPath, out var parents);
        if (parentError is not null)
        {
            return parentError;
        }

        if (parents.Count != 1)
        {
            return NotApplicable(op, $"No content found at {op.Path}, and its parent '{parentPath}' selects {parents.Count} element(s) instead of one");
        }

        owner = parents[0].Poco;
        if (!TryFindProperty(owner.GetType(), name, out property))
        {
            return NotApplicable(op, $"'{name}' is not an element of {owner.TypeName}");
        }

        return property!.IsCollection ? null : NotApplicable(op, $"{owner.TypeName}.{property.Name} is not a list");
    }

    internal static bool TryFindProperty(Type type, string name, out PropertyMapping property)
    {
        property = null!;
        var mapping = Inspector.FindOrImportClassMapping(type);
        if (mapping is null)
        {
            return false;
        }

        // Choice elements are named without their type suffix in the model ("deceased"), but a
        // patch may use the serialised name ("deceasedBoolean").
        var found = mapping.FindMappedElementByName(name) ?? mapping.FindMappedElementByChoiceName(name);
        if (found?.NativeProperty is null)
        {
            return false;
        }

        property = found;
        return true;
    }

    internal static IList GetList(Base owner, PropertyMapping property)
    {
        // The POCO list getters create the list on first access, so this never returns null.
        return (IList)property.NativeProperty!.GetValue(owner)!;
    }

    internal static object? GetProperty(Base owner, PropertyMapping property) => property.NativeProperty!.GetValue(owner);

    internal static void SetProperty(Base owner, PropertyMapping property, object? value) => property.NativeProperty!.SetValue(owner, value);

    private static int IndexOf(IList list, Base item, int? hint)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (ReferenceEquals(list[i], item))
            {
                return i;
            }
        }

        return hint ?? throw new InvalidOperationException("the selected element is no longer in its list");
    }

    private static FhirPathPatchError NotApplicable(FhirPathPatchOperation op, string reason) =>
        new(FhirPathPatchErrorKind.NotApplicable, op.Index, op.TypeName, op.Path, reason);

    private static FhirPathPatchOutcome Fail(FhirPathPatchErrorKind kind, int index, string? operation, string? path, string reason) =>
        FhirPathPatchOutcome.Failure(new FhirPathPatchError(kind, index, operation, path, reason));

    [GeneratedRegex(@"^(?<parent>.+)\.(?<name>[A-Za-z][A-Za-z0-9_]*)$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex TrailingElementName();
}
