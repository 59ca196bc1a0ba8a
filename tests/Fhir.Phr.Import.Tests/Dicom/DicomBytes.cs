using System.Buffers.Binary;
using System.Text;

namespace Fhir.Phr.Import.Tests.Dicom;

/// <summary>Writes element headers and values by hand, for streams no tool would write.</summary>
internal sealed class DicomBytes
{
    private readonly MemoryStream _stream = new();

    internal bool BigEndian { get; init; }

    internal DicomBytes Part10Header(string transferSyntax)
    {
        _stream.Write(new byte[128]);
        _stream.Write("DICM"u8);
        var uid = Encoding.ASCII.GetBytes(transferSyntax.Length % 2 == 1 ? transferSyntax + "\0" : transferSyntax);
        Explicit(0x0002, 0x0000, "UL", LittleEndian32((uint)(8 + uid.Length)), bigEndian: false);
        Explicit(0x0002, 0x0010, "UI", uid, bigEndian: false);
        return this;
    }

    internal DicomBytes Explicit(ushort group, ushort element, string vr, byte[] value, bool? bigEndian = null) =>
        ExplicitHeader(group, element, vr, (uint)value.Length, bigEndian).Raw(value);

    internal DicomBytes ExplicitHeader(ushort group, ushort element, string vr, uint length, bool? bigEndian = null)
    {
        var big = bigEndian ?? BigEndian;
        U16(group, big).U16(element, big).Raw(Encoding.ASCII.GetBytes(vr));
        if (vr is "OB" or "OD" or "OF" or "OL" or "OV" or "OW" or "SQ" or "UC" or "UN" or "UR" or "UT" or "SV" or "UV" or "XX")
        {
            return U16(0, big).U32(length, big);
        }

        return U16((ushort)length, big);
    }

    internal DicomBytes Implicit(ushort group, ushort element, byte[] value) =>
        ImplicitHeader(group, element, (uint)value.Length).Raw(value);

    internal DicomBytes ImplicitHeader(ushort group, ushort element, uint length) =>
        U16(group, BigEndian).U16(element, BigEndian).U32(length, BigEndian);

    internal DicomBytes Item(uint length = 0xFFFFFFFF) => ImplicitHeader(0xFFFE, 0xE000, length);

    internal DicomBytes ItemEnd() => ImplicitHeader(0xFFFE, 0xE00D, 0);

    internal DicomBytes SequenceEnd() => ImplicitHeader(0xFFFE, 0xE0DD, 0);

    internal DicomBytes Raw(ReadOnlySpan<byte> bytes)
    {
        _stream.Write(bytes);
        return this;
    }

    internal byte[] ToArray() => _stream.ToArray();

    internal static byte[] Text(string value) => Encoding.ASCII.GetBytes(value.Length % 2 == 1 ? value + " " : value);

    internal static byte[] LittleEndian32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return bytes;
    }

    private DicomBytes U16(ushort value, bool big)
    {
        Span<byte> b = stackalloc byte[2];
        if (big)
        {
            BinaryPrimitives.WriteUInt16BigEndian(b, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(b, value);
        }

        return Raw(b);
    }

    private DicomBytes U32(uint value, bool big)
    {
        Span<byte> b = stackalloc byte[4];
        if (big)
        {
            BinaryPrimitives.WriteUInt32BigEndian(b, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        }

        return Raw(b);
    }
}

/// <summary>A stream that cannot seek, like a network body: the reader cannot know how much is left.</summary>
internal sealed class ForwardOnlyStream(Stream inner) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
