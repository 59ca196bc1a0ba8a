using System.Buffers.Binary;
using Fhir.Phr.Import.Dicom;

namespace Fhir.Phr.Import.Tests.Dicom;

public sealed class DicomLargeFileTests
{
    /// <summary>
    /// A 100+ MB multi-frame file is made on the fly: dump2dcm writes the header, then Pixel Data of
    /// 110 frames of 1024x1024 8-bit is appended. Reading only the header must cost kilobytes.
    /// </summary>
    [Fact]
    public void Open_HeaderOfLargeMultiFrameFile_ReadsKilobytes()
    {
        var directory = Path.Combine(Path.GetTempPath(), "fhir-phr-dicom-large-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            const int frames = 110;
            const int frameSize = 1024 * 1024;
            var dump = Path.Combine(directory, "header.dump");
            var path = Path.Combine(directory, "large.dcm");
            File.WriteAllText(dump, string.Join('\n',
                "(0008,0016) UI [1.2.840.10008.5.1.4.1.1.7.2]",
                "(0008,0018) UI [1.2.826.0.1.3680043.10.1234.9.1]",
                "(0008,0060) CS [OT]",
                "(0020,000d) UI [1.2.826.0.1.3680043.10.1234.9]",
                "(0028,0002) US 1",
                "(0028,0004) CS [MONOCHROME2]",
                $"(0028,0008) IS [{frames}]",
                "(0028,0010) US 1024",
                "(0028,0011) US 1024",
                "(0028,0100) US 8",
                "(0028,0101) US 8",
                "(0028,0102) US 7",
                "(0028,0103) US 0"));
            DicomCorpus.RunChecked("dump2dcm", "-q", dump, path);
            var headerLength = new FileInfo(path).Length;
            using (var append = new FileStream(path, FileMode.Append))
            {
                // (7FE0,0010) OB, explicit VR little endian: tag, VR, reserved, 32-bit length.
                var header = new byte[12];
                BinaryPrimitives.WriteUInt16LittleEndian(header, 0x7FE0);
                BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(2), 0x0010);
                "OB"u8.CopyTo(header.AsSpan(4));
                BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), (uint)frames * frameSize);
                append.Write(header);
                var frame = new byte[frameSize];
                for (var i = 0; i < frames; i++)
                {
                    append.Write(frame);
                }
            }

            Assert.True(new FileInfo(path).Length > 100L * 1024 * 1024);
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
            var before = GC.GetAllocatedBytesForCurrentThread();

            var file = DicomFile.Open(stream, new DicomReadOptions { StopBeforePixelData = true });

            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            TestContext.Current.TestOutputHelper?.WriteLine($"{new FileInfo(path).Length} byte file: header read allocated {allocated} bytes, consumed {stream.Position} bytes");
            Assert.True(allocated < 512 * 1024, $"allocated {allocated} bytes");
            Assert.True(stream.Position < 256 * 1024, $"read {stream.Position} bytes");
            Assert.Equal(headerLength, file.PixelDataOffset);
            Assert.Equal(frames, file.Dataset.GetInt(DicomTag.NumberOfFrames));
            Assert.False(file.Dataset.Contains(DicomTag.PixelData));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
