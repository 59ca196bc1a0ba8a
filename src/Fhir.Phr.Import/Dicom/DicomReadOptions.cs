namespace Fhir.Phr.Import.Dicom;

public sealed record DicomReadOptions
{
    public static DicomReadOptions Default { get; } = new();

    /// <summary>Stop before the top-level Pixel Data (7FE0,0010), so the header of a 2 GB file costs kilobytes.</summary>
    public bool StopBeforePixelData { get; init; }

    /// <summary>Nesting limit for sequences, so hostile input cannot exhaust the stack.</summary>
    public int MaxSequenceDepth { get; init; } = 64;
}
