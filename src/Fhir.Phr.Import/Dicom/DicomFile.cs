using System.Diagnostics.CodeAnalysis;

namespace Fhir.Phr.Import.Dicom;

/// <summary>A DICOM Part 10 file (PS3.10 §7): File Meta Information and data set; or a bare data set.</summary>
public sealed class DicomFile
{
    internal DicomFile(DicomDataset fileMetaInfo, DicomDataset dataset, DicomTransferSyntax transferSyntax, bool hasPreamble, long? pixelDataOffset)
    {
        FileMetaInfo = fileMetaInfo;
        Dataset = dataset;
        TransferSyntax = transferSyntax;
        HasPreamble = hasPreamble;
        PixelDataOffset = pixelDataOffset;
    }

    /// <summary>Group 0002; empty for a bare data set.</summary>
    public DicomDataset FileMetaInfo { get; }

    public DicomDataset Dataset { get; }

    /// <summary>The syntax the data set was actually read with (sniffed when the meta information lacks or misstates it).</summary>
    public DicomTransferSyntax TransferSyntax { get; }

    public bool HasPreamble { get; }

    /// <summary>Set when reading stopped before Pixel Data: the offset of its element header.</summary>
    public long? PixelDataOffset { get; }

    public static DicomFile Open(Stream stream, DicomReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var parser = new DicomParser(stream, options ?? DicomReadOptions.Default);
        return parser.ReadFile();
    }

    /// <summary>Like <see cref="Open(Stream, DicomReadOptions?)"/>, with unreadable input as a value: the error carries offset and tag.</summary>
    public static bool TryOpen(Stream stream, DicomReadOptions? options, [NotNullWhen(true)] out DicomFile? file, [NotNullWhen(false)] out DicomReadException? error)
    {
        try
        {
            file = Open(stream, options);
            error = null;
            return true;
        }
        catch (DicomReadException ex)
        {
            file = null;
            error = ex;
            return false;
        }
    }

    public static DicomFile Open(string path, DicomReadOptions? options = null)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.SequentialScan);
        return Open(stream, options);
    }
}
