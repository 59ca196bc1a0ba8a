using Fhir.Phr.Import.Dicom;

namespace Fhir.Phr.Import.Tests.Dicom;

public sealed class DicomCorpusTests
{
    private const string Throws = "DicomReadException";

    /// <summary>
    /// Files of the corpus that dcmtk 3.6.7 itself refuses, with its reason, and what our reader
    /// does with them. Several are not DICOM at all: the README, JSON, dump and gzip files that
    /// live beside the DICOM files.
    /// </summary>
    private static readonly Dictionary<string, (string DcmtkReason, string Ours)> RejectedByDcmtk = new(StringComparer.Ordinal)
    {
        ["charset_files/FileInfo.txt"] = ("not DICOM", Throws),
        ["test_files/README.txt"] = ("not DICOM", Throws),
        ["test_files/dicomdirtests/README.txt"] = ("not DICOM", Throws),
        ["test_files/dicomdirtests/TINY_ALPHA/README"] = ("not DICOM", Throws),
        ["test_files/rtplan.dump"] = ("not DICOM (a dcmdump text dump)", Throws),
        ["test_files/rtstruct.dump"] = ("not DICOM (a dcmdump text dump)", Throws),
        ["test_files/test1.json"] = ("not DICOM (DICOM JSON)", Throws),
        ["test_files/test_PN.json"] = ("not DICOM (DICOM JSON)", Throws),
        ["test_files/zipMR.gz"] = ("not DICOM (gzip)", Throws),
        ["test_files/MR_truncated.dcm"] = ("PixelData (7fe0,0010) larger (8192) than remaining bytes in file", Throws),
        ["test_files/rtplan_truncated.dcm"] = ("IsocenterPosition (300a,012c) larger (50) than remaining bytes (29)", Throws),
        ["test_files/no_meta.dcm"] = ("a stray byte before the data set: (0820,0500) larger (173228800) than remaining bytes", Throws),

        // Explicit VR file with one element written in implicit VR; dcmtk reads "18 00" as a VR with
        // a 2-byte length and loses its way. We, like pydicom, take the four bytes as an implicit length.
        ["test_files/SC_rgb_jpeg.dcm"] = ("Non-standard VR '  ' (18\\00) at (0008,0008), then garbage", "read 34 elements"),
    };

    /// <summary>The value field as it was in the file; encapsulated pixel data re-framed as its items (PS3.5 §A.4).</summary>
    private static byte[] RawValue(DicomItem item)
    {
        if (item is DicomElement element)
        {
            return element.Buffer.ToArray();
        }

        var fragments = (DicomFragmentSequence)item;
        var bytes = new List<byte>();
        foreach (var fragment in fragments.Fragments.Prepend(fragments.OffsetTableBytes))
        {
            bytes.AddRange([0xFE, 0xFF, 0x00, 0xE0, .. BitConverter.GetBytes(fragment.Length), .. fragment.Span]);
        }

        // pydicom's raw value stops before the Sequence Delimitation Item.
        return [.. bytes];
    }

    private static string TryRead(string path)
    {
        try
        {
            var file = DicomFile.Open(path);
            return $"read {file.Dataset.Count} elements";
        }
        catch (DicomReadException ex)
        {
            return "DicomReadException: " + ex.Message;
        }
    }

    public static TheoryData<string> Files => new(DicomCorpus.AllFiles());

    /// <summary>
    /// dcmtk rejects SC_rgb_jpeg.dcm, pydicom reads it: there pydicom is the reference. Its raw
    /// elements (tag, length, value bytes before any conversion) must equal ours.
    /// </summary>
    [Fact]
    public void Read_FileOnlyPydicomReads_RawValuesEqualPydicom()
    {
        const string script = """
            import sys, pydicom
            ds = pydicom.dcmread(sys.argv[1])
            for tag in sorted(ds._dict):
                raw = ds._dict[tag]
                print(f"{tag.group:04X}{tag.element:04X} {(raw.value or b'').hex()}")
            """;
        var path = Path.Combine(DicomCorpus.TestFiles, "SC_rgb_jpeg.dcm");
        var pydicom = DicomCorpus.Run("/usr/bin/python3", "-c", script, path);
        Assert.Equal(0, pydicom.ExitCode);

        var dataset = DicomFile.Open(path).Dataset;

        var ours = dataset.Select(e => $"{e.Tag.Group:X4}{e.Tag.Element:X4} {Convert.ToHexStringLower(RawValue(e))}").Order(StringComparer.Ordinal);
        Assert.Equal(pydicom.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), ours);
        Assert.Equal(34, dataset.Count);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Read_EveryCorpusFile_AllValuesEqualDcmdump(string relative)
    {
        var path = DicomCorpus.Full(relative);
        var dump = DicomCorpus.Run("dcmdump", "-q", "-Un", "+L", path);

        if (dump.ExitCode != 0)
        {
            Assert.True(RejectedByDcmtk.ContainsKey(relative), $"dcmdump rejects {relative} but it is not listed: {dump.Stderr}");
            var outcome = TryRead(path);
            Assert.StartsWith(RejectedByDcmtk[relative].Ours, outcome, StringComparison.Ordinal);
            return;
        }

        Assert.False(RejectedByDcmtk.ContainsKey(relative), $"{relative} is listed as rejected but dcmdump reads it");
        var file = DicomFile.Open(path);
        var problems = DcmdumpComparer.Compare(file, DcmdumpOutput.Parse(dump.Stdout));
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }
}
