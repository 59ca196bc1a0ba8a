using System.IO.Compression;

namespace Fhir.Phr.Import.Dicom;

/// <summary>
/// Single-pass reader for PS3.10 files and bare PS3.5 data sets. Values are read as they come;
/// nothing is buffered beyond the element being read, and lengths are never trusted for allocation.
/// </summary>
internal sealed class DicomParser : IDisposable
{
    private const uint UndefinedLength = 0xFFFFFFFF;

    private readonly DicomReadOptions _options;
    private readonly List<DicomInput> _inputs = [];
    private DicomInput _input;
    private long? _pixelDataOffset;
    private bool _stopped;

    internal DicomParser(Stream stream, DicomReadOptions options)
    {
        _input = new DicomInput(stream);
        _inputs.Add(_input);
        _options = options;
    }

    private enum DatasetEnd
    {
        Length,
        ItemDelimiter,
        SequenceDelimiter,
    }

    public void Dispose() => _inputs.ForEach(i => i.Dispose());

    internal DicomFile ReadFile()
    {
        try
        {
            return ReadFileCore();
        }
        catch (InvalidDataException ex)
        {
            // DeflateStream reports corrupt compressed data this way.
            throw new DicomReadException("Deflated data set is corrupt: " + ex.Message, _input.Position, null, ex);
        }
        catch (IOException ex)
        {
            throw new DicomReadException("Stream could not be read: " + ex.Message, _input.Position, null, ex);
        }
    }

    private DicomFile ReadFileCore()
    {
        var head = _input.Peek(132);
        if (head.Length == 0)
        {
            throw new DicomReadException("Stream is empty", 0, null);
        }

        var hasPreamble = head.Length >= 132 && head[128..132].SequenceEqual("DICM"u8);
        var meta = new DicomDataset();
        if (hasPreamble)
        {
            _input.Skip(132, default);
        }
        else if (head.Length >= 4 && head[..4].SequenceEqual("DICM"u8))
        {
            // Some writers drop the preamble but keep the prefix.
            _input.Skip(4, default);
        }

        var next = _input.Peek(2);
        if (next.Length == 2 && next[0] == 0x02 && next[1] == 0x00)
        {
            // PS3.10 §7.1: File Meta Information is always Explicit VR Little Endian.
            ReadDataset(meta, new Syntax(true, false), -1, untilItemDelimiter: false, depth: 0, metaOnly: true);
        }
        else if (hasPreamble)
        {
            throw new DicomReadException("Part 10 file has no File Meta Information (group 0002)", _input.Position, null);
        }

        var declared = meta.GetSingleValueOrDefault(DicomTag.TransferSyntaxUID)?.TrimEnd('\0') is { Length: > 0 } uid
            ? DicomTransferSyntax.FromUid(uid)
            : null;
        if (declared?.IsDeflated == true)
        {
            // PS3.5 §A.5: the data set after the meta information is a raw deflate stream (RFC 1951, no zlib header).
            _input = new DicomInput(new DeflateStream(_input.RemainderAsStream(), CompressionMode.Decompress), _input.Position, ownsStream: true);
            _inputs.Add(_input);
        }

        var syntax = Sniff(declared);
        var dataset = new DicomDataset();
        ReadDataset(dataset, syntax, -1, untilItemDelimiter: false, depth: 0, metaOnly: false);
        var transferSyntax = declared is not null && declared.IsExplicitVR == syntax.IsExplicit && declared.IsBigEndian == syntax.IsBigEndian
            ? declared
            : syntax switch
            {
                { IsExplicit: false } => DicomTransferSyntax.ImplicitVRLittleEndian,
                { IsBigEndian: true } => DicomTransferSyntax.ExplicitVRBigEndian,
                _ => DicomTransferSyntax.ExplicitVRLittleEndian,
            };
        return new DicomFile(meta, dataset, transferSyntax, hasPreamble, _pixelDataOffset);
    }

    /// <summary>
    /// Decides the encoding from the first element header: a valid VR code at bytes 4-5 means
    /// explicit VR. This also rescues files whose meta information names the wrong syntax or none.
    /// </summary>
    private Syntax Sniff(DicomTransferSyntax? declared)
    {
        var p = _input.Peek(8);
        if (p.Length < 8)
        {
            return declared is null ? new Syntax(false, false) : new Syntax(declared.IsExplicitVR, declared.IsBigEndian);
        }

        // A big endian group number starts with its high byte; real first groups (0008, 0010...) have a zero high byte.
        var bigEndian = declared?.IsBigEndian ?? (p[0] == 0 && p[1] != 0);
        var isExplicit = DicomVRInfo.TryParse(p[4], p[5], out _);
        return new Syntax(isExplicit, bigEndian);
    }

    private DatasetEnd ReadDataset(DicomDataset dataset, Syntax syntax, long end, bool untilItemDelimiter, int depth, bool metaOnly)
    {
        while (!_stopped)
        {
            if (end >= 0)
            {
                if (_input.Position == end)
                {
                    return DatasetEnd.Length;
                }

                if (_input.Position > end)
                {
                    throw new DicomReadException($"Element overruns its enclosing item, which ends at {end}", _input.Position, null);
                }

                if (_input.EndOfStream)
                {
                    // Like dcmtk: an item whose declared length runs past the end of the stream ends
                    // with the stream, provided every element in it is whole.
                    return DatasetEnd.Length;
                }
            }
            else if (_input.EndOfStream)
            {
                if (untilItemDelimiter)
                {
                    throw new DicomReadException("Stream ended inside an item of undefined length", _input.Position, null);
                }

                return DatasetEnd.Length;
            }

            if (metaOnly)
            {
                var peek = _input.Peek(2);
                if (peek.Length < 2 || peek[0] != 0x02 || peek[1] != 0x00)
                {
                    return DatasetEnd.Length;
                }
            }

            var offset = _input.Position;
            if (!_input.Ensure(8))
            {
                throw new DicomReadException("Stream ends inside an element header", offset, null);
            }

            var tag = new DicomTag(_input.ReadUInt16(syntax.IsBigEndian), _input.ReadUInt16(syntax.IsBigEndian));
            if (tag.Group == 0xFFFE)
            {
                // PS3.5 §7.5: item and delimiter tags carry a 32-bit length and no VR in every syntax.
                _input.ReadUInt32(syntax.IsBigEndian);
                if (tag == DicomTag.ItemDelimitationItem && untilItemDelimiter)
                {
                    return DatasetEnd.ItemDelimiter;
                }

                if (tag == DicomTag.SequenceDelimitationItem && untilItemDelimiter)
                {
                    // The item lacked its delimiter; the sequence ends here.
                    return DatasetEnd.SequenceDelimiter;
                }

                if (tag == DicomTag.ItemDelimitationItem || tag == DicomTag.SequenceDelimitationItem)
                {
                    // A stray delimiter carries no data; dcmtk skips it as well.
                    continue;
                }

                throw new DicomReadException("Item tag outside a sequence", offset, tag);
            }

            var (vr, length) = ReadVRAndLength(tag, syntax, offset);
            if (depth == 0 && !metaOnly && tag == DicomTag.PixelData && _options.StopBeforePixelData)
            {
                _pixelDataOffset = offset;
                _stopped = true;
                break;
            }

            if (end >= 0 && length != UndefinedLength && _input.Position + length > end)
            {
                throw new DicomReadException($"Value length {length} overruns its enclosing item, which ends at {end}", offset, tag);
            }

            dataset.Add(ReadValue(dataset, tag, vr, length, syntax, offset, depth));
        }

        return DatasetEnd.Length;
    }

    private (DicomVR Vr, uint Length) ReadVRAndLength(DicomTag tag, Syntax syntax, long offset)
    {
        if (!syntax.IsExplicit)
        {
            return (DicomDictionary.GetImplicitVR(tag), _input.ReadUInt32(syntax.IsBigEndian));
        }

        var code = _input.Peek(2);
        if (code.Length < 2)
        {
            throw new DicomReadException("Stream ends inside an element header", offset, tag);
        }

        if (DicomVRInfo.TryParse(code[0], code[1], out var vr))
        {
            _input.Skip(2, tag);
            if (DicomVRInfo.HasLongLength(vr))
            {
                _input.Skip(2, tag);
                return (vr, _input.ReadUInt32(syntax.IsBigEndian));
            }

            return (vr, _input.ReadUInt16(syntax.IsBigEndian));
        }

        if (code[0] is >= (byte)'A' and <= (byte)'Z' && code[1] is >= (byte)'A' and <= (byte)'Z')
        {
            // PS3.5 §7.1.2 lists the VRs with a 16-bit length; any other VR, including ones defined
            // after this reader was written, has the reserved field and a 32-bit length. Read it as UN.
            _input.Skip(4, tag);
            return (DicomVR.UN, _input.ReadUInt32(syntax.IsBigEndian));
        }

        // Not a VR at all: the writer switched to implicit VR for this element, as some do for
        // private or group-length elements. The four bytes are a 32-bit length.
        return (DicomDictionary.GetImplicitVR(tag), _input.ReadUInt32(syntax.IsBigEndian));
    }

    private DicomItem ReadValue(DicomDataset parent, DicomTag tag, DicomVR vr, uint length, Syntax syntax, long offset, int depth)
    {
        if (length == UndefinedLength)
        {
            if (tag == DicomTag.PixelData || vr is DicomVR.OB or DicomVR.OW)
            {
                return ReadFragments(tag, vr, syntax, offset);
            }

            // PS3.5 §6.2.2: UN of undefined length holds a sequence in Implicit VR Little Endian (CP-246).
            // Any other VR with undefined length can only be a sequence as well (private SQ in implicit VR).
            var itemSyntax = vr == DicomVR.UN ? new Syntax(false, false) : syntax;
            return ReadSequence(parent, tag, length, itemSyntax, offset, depth);
        }

        if (vr == DicomVR.SQ)
        {
            return ReadSequence(parent, tag, length, syntax, offset, depth);
        }

        return new DicomElement(tag, vr, _input.ReadBytes(length, tag), syntax.IsBigEndian, offset);
    }

    private DicomSequence ReadSequence(DicomDataset parent, DicomTag tag, uint length, Syntax syntax, long offset, int depth)
    {
        if (depth + 1 > _options.MaxSequenceDepth)
        {
            throw new DicomReadException($"Sequences nest deeper than {_options.MaxSequenceDepth} levels", offset, tag);
        }

        var undefined = length == UndefinedLength;
        var sequence = new DicomSequence(tag, DicomVR.SQ, offset, undefined);
        var end = undefined ? -1 : _input.Position + length;
        while (true)
        {
            if (end >= 0 && (_input.Position >= end || _input.EndOfStream))
            {
                break;
            }

            var itemOffset = _input.Position;
            if (!_input.Ensure(8))
            {
                throw new DicomReadException("Stream ended inside a sequence", itemOffset, tag);
            }

            var itemTag = new DicomTag(_input.ReadUInt16(syntax.IsBigEndian), _input.ReadUInt16(syntax.IsBigEndian));
            var itemLength = _input.ReadUInt32(syntax.IsBigEndian);
            if (itemTag == DicomTag.SequenceDelimitationItem)
            {
                if (undefined)
                {
                    break;
                }

                continue;
            }

            if (itemTag != DicomTag.Item)
            {
                throw new DicomReadException($"Expected an item in sequence {tag}, found {itemTag}", itemOffset, tag);
            }

            var item = new DicomDataset(parent);
            if (itemLength == UndefinedLength)
            {
                var how = ReadDataset(item, syntax, -1, untilItemDelimiter: true, depth + 1, metaOnly: false);
                sequence.Add(item);
                if (how == DatasetEnd.SequenceDelimiter)
                {
                    break;
                }

                continue;
            }

            // An item longer than its sequence is cut at the sequence end (dcmtk does the same); an
            // element crossing that end is still an error. Item lengths never size an allocation.
            var itemEnd = _input.Position + itemLength;
            if (end >= 0 && itemEnd > end)
            {
                itemEnd = end;
            }

            ReadDataset(item, syntax, itemEnd, untilItemDelimiter: false, depth + 1, metaOnly: false);
            sequence.Add(item);
        }

        return sequence;
    }

    private DicomFragmentSequence ReadFragments(DicomTag tag, DicomVR vr, Syntax syntax, long offset)
    {
        var fragments = new DicomFragmentSequence(tag, vr, offset);
        while (true)
        {
            var itemOffset = _input.Position;
            if (!_input.Ensure(8))
            {
                throw new DicomReadException("Stream ended inside encapsulated pixel data", itemOffset, tag);
            }

            var itemTag = new DicomTag(_input.ReadUInt16(syntax.IsBigEndian), _input.ReadUInt16(syntax.IsBigEndian));
            var itemLength = _input.ReadUInt32(syntax.IsBigEndian);
            if (itemTag == DicomTag.SequenceDelimitationItem)
            {
                return fragments;
            }

            if (itemTag != DicomTag.Item || itemLength == UndefinedLength)
            {
                throw new DicomReadException($"Expected a fragment item of defined length, found {itemTag}", itemOffset, tag);
            }

            fragments.Add(_input.ReadBytes(itemLength, tag));
        }
    }

    private readonly record struct Syntax(bool IsExplicit, bool IsBigEndian);
}
