using System.Diagnostics.CodeAnalysis;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Core.Patching;

/// <summary>Why a PATCH failed; tells the server which HTTP status to answer with.</summary>
public enum PatchFailureKind
{
    /// <summary>The patch succeeded.</summary>
    None,

    /// <summary>
    /// The patch document is not a valid JSON Patch / FHIRPath Patch (bad JSON, unknown op, missing
    /// member, bad pointer or FHIRPath syntax). RFC 5789 section 2.2 "malformed patch document": 400.
    /// </summary>
    MalformedPatch,

    /// <summary>
    /// The patch is well formed but cannot be applied to this resource (path not found, a failed
    /// JSON Patch "test", an index out of range, a path selecting several elements). 422.
    /// </summary>
    NotApplicable,

    /// <summary>
    /// Applying the patch would give an invalid resource: it no longer parses, or it changes
    /// resourceType or id, which the server owns (http.html#patch). 422.
    /// </summary>
    InvalidResult,
}

/// <summary>
/// The result of <see cref="PatchEngine"/>: either the patched resource (a new instance; the input is
/// never modified) or an OperationOutcome that explains the failure.
/// </summary>
public sealed class PatchResult
{
    private PatchResult(Resource? resource, OperationOutcome? outcome, PatchFailureKind failure)
    {
        Resource = resource;
        Outcome = outcome;
        Failure = failure;
    }

    /// <summary>The patched resource when <see cref="Succeeded"/>; otherwise null.</summary>
    public Resource? Resource { get; }

    /// <summary>Why the patch failed when it did not succeed; otherwise null.</summary>
    public OperationOutcome? Outcome { get; }

    public PatchFailureKind Failure { get; }

    [MemberNotNullWhen(true, nameof(Resource))]
    [MemberNotNullWhen(false, nameof(Outcome))]
    public bool Succeeded => Resource is not null;

    /// <summary>
    /// The HTTP status the server should answer with: 200 on success, 400 for a malformed patch
    /// document, 422 Unprocessable Entity when it cannot be applied or gives an invalid resource
    /// (RFC 5789 section 2.2, as referenced by http.html#patch).
    /// </summary>
    public int StatusCode => Failure switch
    {
        PatchFailureKind.None => 200,
        PatchFailureKind.MalformedPatch => 400,
        _ => 422,
    };

    internal static PatchResult Success(Resource resource) => new(resource, null, PatchFailureKind.None);

    /// <summary>One error issue: code invalid for a bad patch or result, processing for a patch that does not apply.</summary>
    internal static PatchResult Fail(PatchFailureKind failure, string diagnostics, string? expression = null) =>
        Fail(failure, [(diagnostics, expression)]);

    internal static PatchResult Fail(PatchFailureKind failure, IEnumerable<(string Diagnostics, string? Expression)> issues)
    {
        var code = failure == PatchFailureKind.NotApplicable ? OperationOutcome.IssueType.Processing : OperationOutcome.IssueType.Invalid;
        var outcome = new OperationOutcome();
        foreach (var (diagnostics, expression) in issues)
        {
            var issue = new OperationOutcome.IssueComponent
            {
                Severity = OperationOutcome.IssueSeverity.Error,
                Code = code,
                Diagnostics = diagnostics,
            };
            if (!string.IsNullOrEmpty(expression))
            {
                issue.Expression = [expression];
            }

            outcome.Issue.Add(issue);
        }

        return new PatchResult(null, outcome, failure);
    }
}
