using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Fhir.Phr.Import.Dicom;

/// <summary>One entry of a data set: a value element, a sequence, or encapsulated pixel data.</summary>
public abstract class DicomItem
{
    private protected DicomItem(DicomTag tag, DicomVR vr, long offset)
    {
        Tag = tag;
        VR = vr;
        Offset = offset;
    }

    public DicomTag Tag { get; }

    public DicomVR VR { get; }

    /// <summary>Byte offset of the element header in the stream it was read from.</summary>
    public long Offset { get; }
}

/// <summary>An element with a value field, kept as the bytes read so nothing the sender wrote is lost.</summary>
public sealed class DicomElement : DicomItem
{
    private readonly byte[] _value;

    internal DicomElement(DicomTag tag, DicomVR vr, byte[] value, bool isBigEndian, long offset = -1)
        : base(tag, vr, offset)
    {
        _value = value;
        IsBigEndian = isBigEndian;
    }

    public ReadOnlyMemory<byte> Buffer => _value;

    public int Length => _value.Length;

    /// <summary>Byte order of binary values (Explicit VR Big Endian, PS3.5 §7.3).</summary>
    public bool IsBigEndian { get; }

    /// <summary>
    /// The values as strings: text VRs split on backslash and stripped of padding (PS3.5 §6.2),
    /// binary VRs formatted invariantly, byte streams (OB, UN) as one hex string.
    /// </summary>
    internal string[] GetValues(DicomCharacterSet characterSet)
    {
        if (_value.Length == 0)
        {
            return [];
        }

        if (DicomVRInfo.IsString(VR))
        {
            var text = DicomVRInfo.UsesSpecificCharacterSet(VR) ? characterSet.Decode(_value) : Encoding.Latin1.GetString(_value);
            if (DicomVRInfo.IsSingleValuedText(VR))
            {
                return [TrimValue(text)];
            }

            var parts = text.Split('\\');
            for (var i = 0; i < parts.Length; i++)
            {
                parts[i] = TrimValue(parts[i]);
            }

            return parts;
        }

        return VR switch
        {
            DicomVR.US or DicomVR.OW => Format(2, s => ReadUInt16(s).ToString(CultureInfo.InvariantCulture)),
            DicomVR.SS => Format(2, s => ((short)ReadUInt16(s)).ToString(CultureInfo.InvariantCulture)),
            DicomVR.UL or DicomVR.OL => Format(4, s => ReadUInt32(s).ToString(CultureInfo.InvariantCulture)),
            DicomVR.SL => Format(4, s => ((int)ReadUInt32(s)).ToString(CultureInfo.InvariantCulture)),
            DicomVR.FL or DicomVR.OF => Format(4, s => BitConverter.UInt32BitsToSingle(ReadUInt32(s)).ToString("R", CultureInfo.InvariantCulture)),
            DicomVR.FD or DicomVR.OD => Format(8, s => BitConverter.UInt64BitsToDouble(ReadUInt64(s)).ToString("R", CultureInfo.InvariantCulture)),
            DicomVR.SV => Format(8, s => ((long)ReadUInt64(s)).ToString(CultureInfo.InvariantCulture)),
            DicomVR.UV or DicomVR.OV => Format(8, s => ReadUInt64(s).ToString(CultureInfo.InvariantCulture)),
            DicomVR.AT => Format(4, s => new DicomTag(ReadUInt16(s), ReadUInt16(s[2..])).ToString()),
            _ => [Convert.ToHexString(_value)],
        };
    }

    /// <summary>Binary values as 64-bit integers (US, SS, UL, SL, SV, UV, and OW/OL words).</summary>
    internal long[] GetIntegers() => VR switch
    {
        DicomVR.US or DicomVR.OW => Read(2, s => ReadUInt16(s)),
        DicomVR.SS => Read(2, s => (short)ReadUInt16(s)),
        DicomVR.UL or DicomVR.OL => Read(4, s => ReadUInt32(s)),
        DicomVR.SL => Read(4, s => (int)ReadUInt32(s)),
        DicomVR.SV => Read(8, s => (long)ReadUInt64(s)),
        DicomVR.UV or DicomVR.OV => Read(8, s => (long)ReadUInt64(s)),
        _ => [],
    };

    /// <summary>Binary floating point values (FL, FD, OF, OD).</summary>
    internal double[] GetDoubles() => VR switch
    {
        DicomVR.FL or DicomVR.OF => ReadD(4, s => BitConverter.UInt32BitsToSingle(ReadUInt32(s))),
        DicomVR.FD or DicomVR.OD => ReadD(8, s => BitConverter.UInt64BitsToDouble(ReadUInt64(s))),
        _ => [],
    };

    private static string TrimValue(string value)
    {
        // PS3.5 §6.2: values are padded with a trailing space, UI with a trailing NUL; some writers pad with NUL everywhere.
        return value.TrimEnd(' ', '\0');
    }

    private string[] Format(int size, Func<ReadOnlySpan<byte>, string> format)
    {
        var count = _value.Length / size;
        var result = new string[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = format(_value.AsSpan(i * size, size));
        }

        return result;
    }

    private long[] Read(int size, Func<ReadOnlySpan<byte>, long> read)
    {
        var count = _value.Length / size;
        var result = new long[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = read(_value.AsSpan(i * size, size));
        }

        return result;
    }

    private double[] ReadD(int size, Func<ReadOnlySpan<byte>, double> read)
    {
        var count = _value.Length / size;
        var result = new double[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = read(_value.AsSpan(i * size, size));
        }

        return result;
    }

    private ushort ReadUInt16(ReadOnlySpan<byte> s) => IsBigEndian ? BinaryPrimitives.ReadUInt16BigEndian(s) : BinaryPrimitives.ReadUInt16LittleEndian(s);

    private uint ReadUInt32(ReadOnlySpan<byte> s) => IsBigEndian ? BinaryPrimitives.ReadUInt32BigEndian(s) : BinaryPrimitives.ReadUInt32LittleEndian(s);

    private ulong ReadUInt64(ReadOnlySpan<byte> s) => IsBigEndian ? BinaryPrimitives.ReadUInt64BigEndian(s) : BinaryPrimitives.ReadUInt64LittleEndian(s);
}

/// <summary>A sequence (SQ, or UN holding a sequence per PS3.5 §6.2.2) of item data sets.</summary>
public sealed class DicomSequence : DicomItem
{
    private readonly List<DicomDataset> _items = [];

    internal DicomSequence(DicomTag tag, DicomVR vr, long offset, bool hasUndefinedLength)
        : base(tag, vr, offset)
    {
        HasUndefinedLength = hasUndefinedLength;
    }

    public IReadOnlyList<DicomDataset> Items => _items;

    public bool HasUndefinedLength { get; }

    internal void Add(DicomDataset item) => _items.Add(item);
}

/// <summary>Encapsulated pixel data (PS3.5 §A.4): the Basic Offset Table item and the fragments, not decoded.</summary>
public sealed class DicomFragmentSequence : DicomItem
{
    private readonly List<ReadOnlyMemory<byte>> _fragments = [];

    internal DicomFragmentSequence(DicomTag tag, DicomVR vr, long offset)
        : base(tag, vr, offset)
    {
    }

    /// <summary>The first item's bytes; often empty (PS3.5 §A.4 allows an empty Basic Offset Table).</summary>
    public ReadOnlyMemory<byte> OffsetTableBytes { get; private set; } = ReadOnlyMemory<byte>.Empty;

    public IReadOnlyList<uint> BasicOffsetTable
    {
        get
        {
            var span = OffsetTableBytes.Span;
            var result = new uint[span.Length / 4];
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = BinaryPrimitives.ReadUInt32LittleEndian(span[(i * 4)..]);
            }

            return result;
        }
    }

    public IReadOnlyList<ReadOnlyMemory<byte>> Fragments => _fragments;

    internal bool HasOffsetTable { get; private set; }

    internal void Add(byte[] item)
    {
        if (!HasOffsetTable)
        {
            OffsetTableBytes = item;
            HasOffsetTable = true;
            return;
        }

        _fragments.Add(item);
    }
}
