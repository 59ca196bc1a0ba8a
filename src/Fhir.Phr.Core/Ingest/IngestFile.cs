namespace Fhir.Phr.Core.Ingest;

/// <summary>
/// One file of an `$ingest` request: a single upload has one, a multipart/form-data upload one per part. The file itself is
/// an encrypted Binary; the part's file name is kept (encrypted) so that the outcome can name where an item came from.
/// </summary>
public sealed class IngestFile
{
    public Guid JobId { get; set; }

    /// <summary>0-based position of the part in the request.</summary>
    public int Index { get; set; }

    public required string BinaryId { get; set; }

    /// <summary>The format the file was read as (the part's Content-Type, or sniffed).</summary>
    public required string ContentType { get; set; }

    /// <summary>The part's file name (multipart only); encrypted at rest (<see cref="IngestSecrets"/>).</summary>
    public string? FileName { get; set; }
}
