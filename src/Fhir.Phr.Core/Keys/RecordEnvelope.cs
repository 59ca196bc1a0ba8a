namespace Fhir.Phr.Core.Keys;

/// <summary>
/// One CP-ABE key envelope: the data key of one patient record for one epoch, wrapped under
/// the record's policy (<see cref="Fhir.Phr.Protection.RecordPolicy"/>). Every resource version
/// written while the epoch is current derives its own payload key from it, so a bulk import
/// costs one ABE encryption per patient, not per resource.
/// </summary>
public sealed class RecordEnvelope
{
    public long Id { get; set; }

    /// <summary>The Patient id of the record; empty for resources that belong to no patient.</summary>
    public required string Owner { get; set; }

    /// <summary>The record's epoch when the envelope was made; new writes use the envelope of the current epoch.</summary>
    public int CreatedEpoch { get; set; }

    /// <summary>The epoch whose policy the envelope is wrapped under now; re-wrapping after a revocation raises it.</summary>
    public int WrapEpoch { get; set; }

    /// <summary>The sealed envelope (<see cref="Fhir.Phr.Protection.KeyEnvelope"/>).</summary>
    public byte[] Sealed { get; set; } = [];

    public DateTime CreatedAt { get; set; }
}

/// <summary>
/// A patient record's key epoch. Revoking a share raises <see cref="Epoch"/>: new writes go to a
/// new envelope at once, and a background job re-wraps the older envelopes under the new policy,
/// after which <see cref="OldestLiveEpoch"/> catches up and keys of the old epoch open nothing.
/// A record without a row is at epoch 0.
/// </summary>
public sealed class RecordEpoch
{
    public required string PatientId { get; set; }

    public int Epoch { get; set; }

    /// <summary>The oldest epoch some envelope of the record is still wrapped under.</summary>
    public int OldestLiveEpoch { get; set; }
}
