namespace Fhir.Phr.Core.Access;

public enum GrantKind
{
    /// <summary>The owner shared their record with another account.</summary>
    Share = 1,

    /// <summary>Emergency ("break-glass") access taken by an account with the emergency role, with a reason; time-limited and audited.</summary>
    BreakGlass = 2,
}

/// <summary>
/// Access to one patient's record given to one account: a share by the owner (read, or read and
/// write) or a break-glass access. Revoking sets <see cref="RevokedAt"/>; rows are kept as the
/// audit trail of who could see what, when.
/// </summary>
public sealed class AccessGrant
{
    public long Id { get; set; }

    /// <summary>The Patient id whose record is shared.</summary>
    public required string PatientId { get; set; }

    /// <summary>The account (token subject) that receives access.</summary>
    public required string Grantee { get; set; }

    public GrantKind Kind { get; set; }

    /// <summary>Whether the grantee may also write (create, update, delete) in the record.</summary>
    public bool CanWrite { get; set; }

    /// <summary>The account that granted it (the owner; for break-glass, the grantee itself).</summary>
    public required string GrantedBy { get; set; }

    /// <summary>Why: required for break-glass, optional for shares.</summary>
    public string? Reason { get; set; }

    public DateTime GrantedAt { get; set; }

    /// <summary>When the access ends by itself (break-glass), or null.</summary>
    public DateTime? ExpiresAt { get; set; }

    public DateTime? RevokedAt { get; set; }
}
