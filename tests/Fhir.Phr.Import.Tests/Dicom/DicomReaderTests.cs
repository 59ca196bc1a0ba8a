using System.Text;
using Fhir.Phr.Import.Dicom;

namespace Fhir.Phr.Import.Tests.Dicom;

public sealed class DicomReaderTests
{
    private static DicomFile Open(byte[] bytes, DicomReadOptions? options = null) => DicomFile.Open(new MemoryStream(bytes), options);

    [Theory]
    [InlineData(0xFFFFFFF0u)]
    [InlineData(0x7FFFFFC0u)]
    public void Open_HostileLengthOnForwardOnlyStream_ThrowsWithoutAllocatingTheLength(uint length)
    {
        var bytes = new DicomBytes().Explicit(0x0008, 0x0060, "CS", DicomBytes.Text("CT")).ExplicitHeader(0x0010, 0x4000, "UT", length).Raw(new byte[100]).ToArray();
        var before = GC.GetAllocatedBytesForCurrentThread();

        var ex = Assert.Throws<DicomReadException>(() => DicomFile.Open(new ForwardOnlyStream(new MemoryStream(bytes))));

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 8 * 1024 * 1024, "allocated more than 8 MB");
        Assert.Equal(new DicomTag(0x0010, 0x4000), ex.Tag);
        Assert.True(ex.Offset >= 10, $"offset {ex.Offset}");
    }

    [Fact]
    public void Open_LengthBeyondSeekableStream_ThrowsNamingWhatRemains()
    {
        var bytes = new DicomBytes().Explicit(0x0008, 0x0060, "CS", DicomBytes.Text("CT")).ExplicitHeader(0x0010, 0x4000, "UT", 0x7FFFFFC0).Raw(new byte[100]).ToArray();
        var before = GC.GetAllocatedBytesForCurrentThread();

        var ex = Assert.Throws<DicomReadException>(() => Open(bytes));

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1024 * 1024);
        Assert.Contains("exceeds the 100 bytes left", ex.Message, StringComparison.Ordinal);
        Assert.Equal(22, ex.Offset);
    }

    [Fact]
    public void Open_BareImplicitDataset_IsSniffed()
    {
        var bytes = new DicomBytes().Implicit(0x0008, 0x0060, DicomBytes.Text("MR")).Implicit(0x0010, 0x0020, DicomBytes.Text("ID-1")).ToArray();

        var file = Open(bytes);

        Assert.Equal(DicomTransferSyntax.ImplicitVRLittleEndian, file.TransferSyntax);
        Assert.False(file.HasPreamble);
        Assert.Equal("MR", file.Dataset.GetString(DicomTag.Modality));
        Assert.Equal(DicomVR.LO, file.Dataset[DicomTag.PatientID]!.VR);
    }

    [Fact]
    public void Open_BareExplicitBigEndianDataset_IsSniffed()
    {
        var bytes = new DicomBytes { BigEndian = true }.Explicit(0x0008, 0x0060, "CS", DicomBytes.Text("MR")).Explicit(0x0028, 0x0010, "US", [0x01, 0x02]).ToArray();

        var file = Open(bytes);

        Assert.Equal(DicomTransferSyntax.ExplicitVRBigEndian, file.TransferSyntax);
        Assert.Equal(0x0102, file.Dataset.GetInt(new DicomTag(0x0028, 0x0010)));
    }

    [Fact]
    public void Open_OddLengthValue_IsKeptAndReadingContinues()
    {
        var bytes = new DicomBytes().Explicit(0x0010, 0x0020, "LO", Encoding.ASCII.GetBytes("ABC")).Explicit(0x0010, 0x0040, "CS", DicomBytes.Text("F")).ToArray();

        var dataset = Open(bytes).Dataset;

        Assert.Equal("ABC", dataset.GetString(DicomTag.PatientID));
        Assert.Equal(3, ((DicomElement)dataset[DicomTag.PatientID]!).Length);
        Assert.Equal("F", dataset.GetString(DicomTag.PatientSex));
    }

    [Fact]
    public void Open_RepeatedTag_KeepsTheFirstLikeDcmtk()
    {
        var bytes = new DicomBytes().Explicit(0x0010, 0x0020, "LO", DicomBytes.Text("FIRST")).Explicit(0x0010, 0x0020, "LO", DicomBytes.Text("SECOND")).ToArray();

        var dataset = Open(bytes).Dataset;

        Assert.Equal(1, dataset.Count);
        Assert.Equal("FIRST", dataset.GetString(DicomTag.PatientID));
    }

    [Fact]
    public void Open_UnknownVRCode_ReadAsUNWithLongLength()
    {
        var bytes = new DicomBytes().Explicit(0x0008, 0x0060, "CS", DicomBytes.Text("CT")).Explicit(0x0011, 0x1010, "XX", [1, 2, 3, 4]).Explicit(0x0020, 0x0011, "IS", DicomBytes.Text("5")).ToArray();

        var dataset = Open(bytes).Dataset;

        Assert.Equal(DicomVR.UN, dataset[new DicomTag(0x0011, 0x1010)]!.VR);
        Assert.Equal(5, dataset.GetInt(DicomTag.SeriesNumber));
    }

    [Fact]
    public void Open_ImplicitElementInExplicitStream_ReadWithImplicitLength()
    {
        // SC_rgb_jpeg.dcm has such an element: the "VR" bytes are the low half of a 32-bit length.
        var bytes = new DicomBytes().Explicit(0x0008, 0x0060, "CS", DicomBytes.Text("CT")).Implicit(0x0010, 0x0020, DicomBytes.Text("ID-7")).Explicit(0x0020, 0x0011, "IS", DicomBytes.Text("5")).ToArray();

        var dataset = Open(bytes).Dataset;

        Assert.Equal(DicomVR.LO, dataset[DicomTag.PatientID]!.VR);
        Assert.Equal("ID-7", dataset.GetString(DicomTag.PatientID));
        Assert.Equal(5, dataset.GetInt(DicomTag.SeriesNumber));
    }

    [Fact]
    public void Open_UNOfUndefinedLength_ParsedAsImplicitSequence()
    {
        var bytes = new DicomBytes()
            .Explicit(0x0008, 0x0060, "CS", DicomBytes.Text("CT"))
            .ExplicitHeader(0x0009, 0x1010, "UN", 0xFFFFFFFF).Item().Implicit(0x0010, 0x0020, DicomBytes.Text("IN")).ItemEnd().SequenceEnd()
            .Explicit(0x0020, 0x0011, "IS", DicomBytes.Text("5"))
            .ToArray();

        var dataset = Open(bytes).Dataset;

        var sequence = Assert.IsType<DicomSequence>(dataset[new DicomTag(0x0009, 0x1010)]);
        Assert.Equal("IN", Assert.Single(sequence.Items).GetString(DicomTag.PatientID));
        Assert.Equal(5, dataset.GetInt(DicomTag.SeriesNumber));
    }

    [Fact]
    public void Open_DefinedLengthItemsInDefinedLengthSequence_Read()
    {
        var item = new DicomBytes().Explicit(0x0008, 0x0100, "SH", DicomBytes.Text("X1")).ToArray();
        var bytes = new DicomBytes()
            .ExplicitHeader(0x0040, 0xA043, "SQ", (uint)(2 * (8 + item.Length))).Item((uint)item.Length).Raw(item).Item((uint)item.Length).Raw(item)
            .Explicit(0x0040, 0xA160, "UT", DicomBytes.Text("after"))
            .ToArray();

        var dataset = Open(bytes).Dataset;

        Assert.Equal(2, dataset.GetSequence(DicomTag.ConceptNameCodeSequence)!.Items.Count);
        Assert.Equal("after", dataset.GetString(new DicomTag(0x0040, 0xA160)));
    }

    [Fact]
    public void Open_SequencesNestedBeyondLimit_Throws()
    {
        var builder = new DicomBytes();
        for (var i = 0; i < 100; i++)
        {
            builder.ExplicitHeader(0x0040, 0xA730, "SQ", 0xFFFFFFFF).Item();
        }

        var ex = Assert.Throws<DicomReadException>(() => Open(builder.ToArray()));

        Assert.Contains("nest deeper than 64", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_ItemTagOutsideSequence_ThrowsWithOffsetAndTag()
    {
        var bytes = new DicomBytes().Explicit(0x0008, 0x0060, "CS", DicomBytes.Text("CT")).Item(4).Raw([0, 0, 0, 0]).ToArray();

        var ex = Assert.Throws<DicomReadException>(() => Open(bytes));

        Assert.Equal((DicomTag.Item, 10L), (ex.Tag!.Value, ex.Offset));
    }

    [Fact]
    public void Open_StreamEndsInsideUndefinedLengthSequence_Throws()
    {
        var bytes = new DicomBytes().ExplicitHeader(0x0040, 0xA730, "SQ", 0xFFFFFFFF).Item().Explicit(0x0008, 0x0100, "SH", DicomBytes.Text("X1")).ToArray();

        var ex = Assert.Throws<DicomReadException>(() => Open(bytes));

        Assert.Contains("ended inside an item", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryOpen_Garbage_ReturnsErrorWithOffset()
    {
        var ok = DicomFile.TryOpen(new MemoryStream("not a DICOM file at all"u8.ToArray()), null, out var file, out var error);

        Assert.False(ok);
        Assert.Null(file);
        Assert.Equal(8, error!.Offset);
    }

    [Fact]
    public void Open_EmptyStream_Throws()
    {
        var ex = Assert.Throws<DicomReadException>(() => Open([]));

        Assert.Contains("empty", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_Part10WithoutMeta_Throws()
    {
        var bytes = new byte[132 + 8];
        "DICM"u8.CopyTo(bytes.AsSpan(128));

        var ex = Assert.Throws<DicomReadException>(() => Open(bytes));

        Assert.Contains("no File Meta Information", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_MetaClaimsExplicitButDatasetIsImplicit_IsSniffed()
    {
        var bytes = new DicomBytes().Part10Header("1.2.840.10008.1.2.1").Implicit(0x0008, 0x0060, DicomBytes.Text("US")).ToArray();

        var file = Open(bytes);

        Assert.True(file.HasPreamble);
        Assert.Equal(DicomTransferSyntax.ImplicitVRLittleEndian, file.TransferSyntax);
        Assert.Equal("US", file.Dataset.GetString(DicomTag.Modality));
    }

    [Fact]
    public void Open_StopBeforePixelData_ReadsHeaderOnly()
    {
        var path = Path.Combine(DicomCorpus.TestFiles, "CT_small.dcm");
        var full = DicomFile.Open(path).Dataset;
        using var stream = File.OpenRead(path);

        var header = DicomFile.Open(stream, new DicomReadOptions { StopBeforePixelData = true });

        Assert.False(header.Dataset.Contains(DicomTag.PixelData));
        Assert.Equal(full[DicomTag.PixelData]!.Offset, header.PixelDataOffset);
        Assert.Equal(full.TakeWhile(i => i.Tag != DicomTag.PixelData).Select(i => i.Tag), header.Dataset.Select(i => i.Tag));
        Assert.Equal(full.GetString(DicomTag.SOPInstanceUID), header.Dataset.GetString(DicomTag.SOPInstanceUID));
    }

    [Fact]
    public void Open_DeflatedFile_InflatesDataset()
    {
        var file = DicomFile.Open(Path.Combine(DicomCorpus.TestFiles, "image_dfl.dcm"));

        Assert.True(file.TransferSyntax.IsDeflated);
        Assert.Equal("OT", file.Dataset.GetString(DicomTag.Modality));
        Assert.Equal(262144, Assert.IsType<DicomElement>(file.Dataset[DicomTag.PixelData]).Length);
    }

    [Fact]
    public void Open_RleTwoFrames_KeepsOneFragmentPerFrameUndecoded()
    {
        var file = DicomFile.Open(Path.Combine(DicomCorpus.TestFiles, "SC_rgb_rle_2frame.dcm"));

        var pixels = Assert.IsType<DicomFragmentSequence>(file.Dataset[DicomTag.PixelData]);

        Assert.Equal("1.2.840.10008.1.2.5", file.TransferSyntax.Uid);
        Assert.Equal(2, pixels.Fragments.Count);
        Assert.Equal(2, pixels.BasicOffsetTable.Count);

        // PS3.5 §G.3.1: each RLE frame starts with its segment count, 3 for 8-bit RGB.
        Assert.All(pixels.Fragments, f => Assert.Equal(3, BitConverter.ToInt32(f.Span[..4])));
    }

    [Fact]
    public void Open_UNSequenceFile_ReadsNestedItems()
    {
        var dataset = DicomFile.Open(Path.Combine(DicomCorpus.TestFiles, "UN_sequence.dcm")).Dataset;

        var outer = Assert.IsType<DicomSequence>(dataset[new DicomTag(0x4453, 0x100C)]);

        var series = Assert.Single(outer.Items).GetSequence(new DicomTag(0x0008, 0x1115))!.Items[0];
        Assert.Equal("1.2.840.113619.2.327.3.185221411.476.1398588726.276", series.GetString(DicomTag.SeriesInstanceUID));
    }

    [Fact]
    public void Open_ImplicitPrivateSequenceOfUndefinedLength_IsASequence()
    {
        var dataset = DicomFile.Open(Path.Combine(DicomCorpus.TestFiles, "nested_priv_SQ.dcm")).Dataset;

        var outer = Assert.IsType<DicomSequence>(dataset[new DicomTag(0x0001, 0x0001)]);

        var inner = Assert.IsType<DicomSequence>(Assert.Single(outer.Items)[new DicomTag(0x0001, 0x0001)]);
        var value = Assert.IsType<DicomElement>(Assert.Single(inner.Items)[new DicomTag(0x0001, 0x0001)]);
        Assert.Equal("Double Nested SQ", Encoding.ASCII.GetString(value.Buffer.Span));
    }

    [Fact]
    public void Dictionary_KeywordTagAndVR_RoundTrip()
    {
        Assert.True(DicomDictionary.TryGetTag("PatientName", out var tag));
        Assert.Equal(new DicomTag(0x0010, 0x0010), tag);
        Assert.True(DicomDictionary.TryGetEntry(tag, out var entry));
        Assert.Equal((DicomVR.PN, "1", "Patient's Name"), (entry.VR, entry.VM, entry.Name));
        Assert.Equal("OverlayData", DicomDictionary.GetKeyword(new DicomTag(0x6002, 0x3000)));
        Assert.Equal(DicomVR.OW, DicomDictionary.GetImplicitVR(DicomTag.PixelData));
        Assert.Equal(DicomVR.UL, DicomDictionary.GetImplicitVR(new DicomTag(0x0009, 0x0000)));
        Assert.Equal(DicomVR.LO, DicomDictionary.GetImplicitVR(new DicomTag(0x0009, 0x0010)));
        Assert.Equal(DicomVR.UN, DicomDictionary.GetImplicitVR(new DicomTag(0x0009, 0x1010)));
        Assert.True(DicomDictionary.Count > 4000);
    }

    [Theory]
    [InlineData("(0010,0010)")]
    [InlineData("0010,0010")]
    [InlineData("00100010")]
    [InlineData("PatientName")]
    public void DicomTag_Parse_AcceptsNumbersAndKeywords(string text)
    {
        var tag = DicomTag.Parse(text);

        Assert.Equal("(0010,0010)", tag.ToString());
    }

    [Fact]
    public void CharacterSet_JisX0212_NotDecodableByDotNet_BecomesReplacementCharacter()
    {
        // ESC $ ( D switches G0 to JIS X 0212 (ISO 2022 IR 159), which no .NET encoding implements:
        // each two-byte code becomes U+FFFD and the rest of the value still decodes.
        var bytes = new DicomBytes()
            .Explicit(0x0008, 0x0005, "CS", DicomBytes.Text("\\ISO 2022 IR 159"))
            .Explicit(0x0010, 0x0010, "PN", [0x1B, 0x24, 0x28, 0x44, 0x30, 0x21, 0x1B, 0x28, 0x42, (byte)'^', (byte)'A'])
            .ToArray();

        var name = Open(bytes).Dataset.GetString(DicomTag.PatientName);

        Assert.Equal("\uFFFD^A", name);
    }
}
