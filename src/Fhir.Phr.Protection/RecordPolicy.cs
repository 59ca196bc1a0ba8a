namespace Fhir.Phr.Protection;

/// <summary>
/// The CP-ABE attributes and the access policies patient records are encrypted under
/// (architecture.md, "Protection"): the owner, whoever the owner shares with in the current
/// epoch, break-glass access to that record, and the server's own system role (backend
/// services, background jobs, key re-wrapping). A record's first envelope names only the owner
/// and the system role until the record is first shared or opened by break-glass, when it is
/// re-wrapped under the full policy (docs/decisions.md). Records that belong to no patient are
/// for the system role only.
/// </summary>
public static class RecordPolicy
{
    public const string SystemAttribute = "role:system";

    public static string Owner(string patientId) => "owner:" + patientId;

    /// <summary>A share of the record in one epoch; revoking a share moves the record to the next epoch.</summary>
    public static string Grant(string patientId, int epoch) => $"grant:{patientId}:e{epoch}";

    public static string Emergency(string patientId) => "emergency:" + patientId;

    /// <summary>The policy text for a record's envelope, e.g. <c>"owner:p1" or "grant:p1:e0" or "emergency:p1" or "role:system"</c>.</summary>
    public static string For(string? owner, int epoch) => owner is null
        ? Quote(SystemAttribute)
        : string.Join(" or ", Quote(Owner(owner)), Quote(Grant(owner, epoch)), Quote(Emergency(owner)), Quote(SystemAttribute));

    /// <summary>
    /// The policy of a record's first envelope, <c>"owner:p1" or "role:system"</c>: until someone
    /// else may read the record, its envelope names no one else, which halves the cost of sealing
    /// it (one FAME row and six hashes to G1 per attribute).
    /// </summary>
    public static string ForNewRecord(string owner) => string.Join(" or ", Quote(Owner(owner)), Quote(SystemAttribute));

    private static string Quote(string attribute) =>
        "\"" + attribute.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
