using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Fhir.Phr.Abe;

/// <summary>Appends big-endian fields to a growing buffer.</summary>
internal sealed class ByteWriter
{
    private readonly System.Buffers.ArrayBufferWriter<byte> _stream = new();

    public void Bytes(ReadOnlySpan<byte> bytes) => _stream.Write(bytes);

    public void U8(byte value) => _stream.Write([value]);

    public void U16(int value)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(b, checked((ushort)value));
        _stream.Write(b);
    }

    public void Utf8(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        U16(bytes.Length);
        Bytes(bytes);
    }

    public byte[] ToArray() => _stream.WrittenSpan.ToArray();
}

/// <summary>Reads big-endian fields, failing with a <see cref="FormatException"/> that names the field and offset.</summary>
internal ref struct ByteReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly string _what;

    public ByteReader(ReadOnlySpan<byte> data, string what)
    {
        _data = data;
        _what = what;
    }

    public int Position { get; private set; }

    public ReadOnlySpan<byte> Bytes(int count, string field)
    {
        if (count < 0 || _data.Length - Position < count)
            throw new FormatException($"{_what}: truncated while reading {field} at offset {Position}.");
        var slice = _data.Slice(Position, count);
        Position += count;
        return slice;
    }

    public byte U8(string field) => Bytes(1, field)[0];

    public int U16(string field) => BinaryPrimitives.ReadUInt16BigEndian(Bytes(2, field));

    public string Utf8(string field)
    {
        int length = U16(field);
        var bytes = Bytes(length, field);
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new FormatException($"{_what}: {field} is not valid UTF-8.", e);
        }
    }

    public G1Point G1(string field)
    {
        int at = Position;
        try
        {
            return G1Point.FromCompressed(Bytes(G1Point.CompressedLength, field));
        }
        catch (FormatException e) when (!e.Message.StartsWith(_what, StringComparison.Ordinal))
        {
            throw new FormatException($"{_what}: {field} at offset {at} is invalid: {e.Message}", e);
        }
    }

    public G2Point G2(string field)
    {
        int at = Position;
        try
        {
            return G2Point.FromCompressed(Bytes(G2Point.CompressedLength, field));
        }
        catch (FormatException e) when (!e.Message.StartsWith(_what, StringComparison.Ordinal))
        {
            throw new FormatException($"{_what}: {field} at offset {at} is invalid: {e.Message}", e);
        }
    }

    public Scalar Scalar(string field)
    {
        if (!Abe.Scalar.TryFromCanonical(Bytes(Abe.Scalar.ByteLength, field), out var s))
            throw new FormatException($"{_what}: {field} is not below the group order.");
        return s;
    }

    public void Header(ReadOnlySpan<byte> magic, byte version)
    {
        if (!Bytes(magic.Length, "magic").SequenceEqual(magic))
            throw new FormatException($"{_what}: wrong magic bytes (not a {_what}).");
        byte v = U8("version");
        if (v != version) throw new FormatException($"{_what}: unsupported version {v} (expected {version}).");
    }

    public readonly void End()
    {
        if (Position != _data.Length) throw new FormatException($"{_what}: {_data.Length - Position} unexpected trailing bytes.");
    }
}
