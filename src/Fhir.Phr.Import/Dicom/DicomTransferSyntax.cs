namespace Fhir.Phr.Import.Dicom;

/// <summary>How a data set is encoded (PS3.5 §10 and Annex A).</summary>
public sealed record DicomTransferSyntax(string Uid, bool IsExplicitVR, bool IsBigEndian, bool IsDeflated, bool IsEncapsulated)
{
    public static readonly DicomTransferSyntax ImplicitVRLittleEndian = new("1.2.840.10008.1.2", false, false, false, false);
    public static readonly DicomTransferSyntax ExplicitVRLittleEndian = new("1.2.840.10008.1.2.1", true, false, false, false);
    public static readonly DicomTransferSyntax DeflatedExplicitVRLittleEndian = new("1.2.840.10008.1.2.1.99", true, false, true, false);
    public static readonly DicomTransferSyntax ExplicitVRBigEndian = new("1.2.840.10008.1.2.2", true, true, false, false);

    /// <summary>
    /// Maps a Transfer Syntax UID. Everything that is not one of the four native syntaxes is an
    /// encapsulated (compressed) syntax in explicit VR little endian (PS3.5 §A.4): JPEG, JPEG-LS,
    /// JPEG 2000, HTJ2K, RLE, MPEG, HEVC and any future ones. Pixel data stays as fragments.
    /// </summary>
    public static DicomTransferSyntax FromUid(string uid) => uid switch
    {
        "1.2.840.10008.1.2" => ImplicitVRLittleEndian,
        "1.2.840.10008.1.2.1" => ExplicitVRLittleEndian,
        "1.2.840.10008.1.2.1.99" => DeflatedExplicitVRLittleEndian,
        "1.2.840.10008.1.2.2" => ExplicitVRBigEndian,

        // JPIP Referenced Deflate: the data set is deflated like 1.2.840.10008.1.2.1.99 (PS3.5 §A.5, §A.7).
        "1.2.840.10008.1.2.4.95" => new DicomTransferSyntax(uid, true, false, true, false),
        _ => new DicomTransferSyntax(uid, true, false, false, true),
    };
}
