namespace Fhir.Phr.Core.Ingest;

public enum IngestStatus
{
    Queued = 1,
    Running,
    Completed,
    Failed,
}

/// <summary>
/// One `$ingest` request and its progress. The uploaded files are stored as encrypted Binaries,
/// one <see cref="IngestFile"/> row each; this row and the background job's arguments hold only
/// ids and counts, never PHI.
/// </summary>
public sealed class IngestJob
{
    public Guid Id { get; set; }

    /// <summary>Who sent the file (`?source=`), which scopes identifiers in formats that lack a system (CSV).</summary>
    public string? Source { get; set; }

    public IngestStatus Status { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? CompletedAt { get; set; }

    public int ItemsTotal { get; set; }

    public int ItemsDone { get; set; }

    /// <summary>The result as FHIR JSON (an OperationOutcome naming created resources and rejected items by position).</summary>
    /// <remarks>Encrypted at rest (<see cref="IngestSecrets"/>); read it through <see cref="IngestService.Result"/>.</remarks>
    public string? ResultJson { get; set; }
}
