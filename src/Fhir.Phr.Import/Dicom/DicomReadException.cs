namespace Fhir.Phr.Import.Dicom;

/// <summary>The stream is not DICOM a careful reader can make sense of; carries the byte offset and the tag where reading stopped.</summary>
public sealed class DicomReadException : Exception
{
    public DicomReadException()
    {
    }

    public DicomReadException(string message)
        : base(message)
    {
    }

    public DicomReadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DicomReadException(string message, long offset, DicomTag? tag, Exception? innerException = null)
        : base(Format(message, offset, tag), innerException)
    {
        Offset = offset;
        Tag = tag;
    }

    /// <summary>Byte offset in the stream (in the inflated data set for deflated transfer syntaxes).</summary>
    public long Offset { get; } = -1;

    public DicomTag? Tag { get; }

    private static string Format(string message, long offset, DicomTag? tag) =>
        tag is { } t ? $"{message} (tag {t}, offset {offset})" : $"{message} (offset {offset})";
}
