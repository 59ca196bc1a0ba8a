namespace Fhir.Phr.Core.Storage;

/// <summary>
/// One version of one resource: the protected payload plus the metadata the server needs
/// without decrypting (R4 http.html#versioning). A version is current while
/// <see cref="SupersededAt"/> is null; keeping the validity interval lets search and paging
/// run against a fixed point in time while others write.
/// </summary>
public sealed class ResourceVersion
{
    public long Id { get; set; }

    public required string ResourceType { get; set; }

    public required string ResourceId { get; set; }

    public int Version { get; set; }

    /// <summary>UTC time this version was written (meta.lastUpdated).</summary>
    public DateTime LastUpdated { get; set; }

    /// <summary>UTC time a later version replaced this one; null for the current version.</summary>
    public DateTime? SupersededAt { get; set; }

    public bool IsDeleted { get; set; }

    /// <summary>The HTTP verb that produced the version (POST, PUT, PATCH, DELETE), for history bundles.</summary>
    public required string Method { get; set; }

    /// <summary>
    /// The id of the Patient whose record this version belongs to (the Patient itself, a
    /// document's or study's subject, a Binary's security context), or null for none. Access
    /// reach (SMART compartments, shares) and the payload's key envelope follow it.
    /// </summary>
    public string? Owner { get; set; }

    /// <summary>The key envelope whose data key the payload key derives from (null for a deletion).</summary>
    public long? EnvelopeId { get; set; }

    /// <summary>The resource JSON, encrypted by Fhir.Phr.Protection; empty for a deletion.</summary>
    public byte[] Payload { get; set; } = [];

    public List<SearchIndexEntry> Index { get; set; } = [];
}

public enum IndexKind
{
    String = 1,
    Token = 2,
    Date = 3,
    Reference = 4,
    Number = 5,
    Quantity = 6,
    Uri = 7,
}

/// <summary>
/// One value of one search parameter for one resource version. Which columns are used depends
/// on <see cref="Kind"/>. For parameters that identify a person, <see cref="Text"/> and
/// <see cref="Code"/> hold blind (keyed HMAC) values, never the plaintext.
/// </summary>
public sealed class SearchIndexEntry
{
    public long Id { get; set; }

    public long ResourceVersionId { get; set; }

    public ResourceVersion? ResourceVersion { get; set; }

    /// <summary>Search parameter code, e.g. "name" or "_lastUpdated".</summary>
    public required string Param { get; set; }

    public IndexKind Kind { get; set; }

    /// <summary>String: normalised value (or its blind prefix/exact values). Uri: the uri. Token: the display text for :text.</summary>
    public string? Text { get; set; }

    /// <summary>Token and quantity system.</summary>
    public string? System { get; set; }

    /// <summary>Token code, quantity unit code.</summary>
    public string? Code { get; set; }

    /// <summary>Date range start (inclusive, UTC).</summary>
    public DateTime? Low { get; set; }

    /// <summary>Date range end (inclusive, UTC).</summary>
    public DateTime? High { get; set; }

    /// <summary>Number and quantity value.</summary>
    public decimal? Number { get; set; }

    public string? RefType { get; set; }

    public string? RefId { get; set; }

    /// <summary>Text and Code hold keyed HMAC values, comparable only for equality.</summary>
    public bool Blind { get; set; }
}
