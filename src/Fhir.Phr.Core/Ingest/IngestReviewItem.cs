namespace Fhir.Phr.Core.Ingest;

public enum ReviewStatus
{
    /// <summary>Waiting for a person.</summary>
    Pending = 1,

    /// <summary>Stored with a new patient.</summary>
    Accepted,

    /// <summary>Stored with a patient the reviewer chose.</summary>
    Linked,

    /// <summary>Not stored; the reason says why.</summary>
    Rejected,
}

/// <summary>A stored patient the matcher proposed for a held item, with its 0..1 score and R4 match-grade code.</summary>
public sealed record ReviewCandidate(string PatientId, double Score, string Grade);

/// <summary>
/// An `$ingest` item whose patient the matcher could not decide (issue #5 review queue). The item's resources are PHI, so
/// they wait in an encrypted Binary (<see cref="HeldBinaryId"/>, a collection Bundle as FHIR JSON, under the system policy);
/// this row holds only ids, scores and the decision.
/// </summary>
public sealed class IngestReviewItem
{
    public Guid Id { get; set; }

    public Guid JobId { get; set; }

    /// <summary>Where the item was in the upload, as the job's outcome names it (e.g. "message 3", "file 2 (adt.hl7), message 3").</summary>
    public required string Position { get; set; }

    /// <summary>The Binary holding the item's resources until the decision.</summary>
    public required string HeldBinaryId { get; set; }

    public List<ReviewCandidate> Candidates { get; set; } = [];

    public ReviewStatus Status { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>The account or client (token subject) that decided, or "system".</summary>
    public string? DecidedBy { get; set; }

    public DateTime? DecidedAt { get; set; }

    /// <summary>The reviewer's reason (required to reject); encrypted at rest (<see cref="IngestSecrets"/>).</summary>
    public string? Reason { get; set; }

    /// <summary>The patient the item was stored with (accepted or linked).</summary>
    public string? PatientId { get; set; }
}
