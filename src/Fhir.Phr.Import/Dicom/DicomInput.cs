using System.Buffers;
using System.Buffers.Binary;

namespace Fhir.Phr.Import.Dicom;

/// <summary>
/// Buffered forward-only reader over a stream that tracks the byte offset for error messages and,
/// when the stream length is known, refuses to allocate for lengths beyond what remains.
/// </summary>
internal sealed class DicomInput : IDisposable
{
    private const int BufferSize = 16 * 1024;
    private const int ChunkSize = 1024 * 1024;

    private readonly Stream _stream;
    private readonly long? _length;
    private readonly bool _ownsStream;

    // Rented: header-only reads of many small files would otherwise allocate a buffer each.
    private readonly byte[] _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    private int _start;
    private int _end;
    private long _bufferOffset;
    private bool _eof;

    internal DicomInput(Stream stream, long offsetBase = 0, bool ownsStream = false)
    {
        _stream = stream;
        _ownsStream = ownsStream;
        _bufferOffset = offsetBase;
        if (stream.CanSeek)
        {
            try
            {
                _length = offsetBase + (stream.Length - stream.Position);
            }
            catch (NotSupportedException)
            {
                _length = null;
            }
        }
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        if (_ownsStream)
        {
            _stream.Dispose();
        }
    }

    /// <summary>Offset of the next unread byte, counted from where this input started.</summary>
    internal long Position => _bufferOffset + _start;

    /// <summary>Bytes left when the stream length is known, otherwise null.</summary>
    internal long? Remaining => _length is { } l ? l - Position : null;

    internal bool EndOfStream => !Ensure(1);

    /// <summary>Makes <paramref name="count"/> (at most the buffer size) bytes available; false when the stream ends first.</summary>
    internal bool Ensure(int count)
    {
        if (_end - _start >= count)
        {
            return true;
        }

        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _bufferOffset += _start;
            _end -= _start;
            _start = 0;
        }

        while (_end < count && !_eof)
        {
            var read = _stream.Read(_buffer, _end, _buffer.Length - _end);
            if (read == 0)
            {
                _eof = true;
            }

            _end += read;
        }

        return _end - _start >= count;
    }

    internal ReadOnlySpan<byte> Peek(int count) => Ensure(count) ? _buffer.AsSpan(_start, count) : _buffer.AsSpan(_start, _end - _start);

    /// <summary>Bytes already buffered but not consumed, followed by the rest of the stream; used to switch to inflating.</summary>
    internal Stream RemainderAsStream() => new PrefixedStream(_buffer.AsMemory(_start, _end - _start).ToArray(), _stream);

    internal ushort ReadUInt16(bool bigEndian)
    {
        Require(2);
        var span = _buffer.AsSpan(_start, 2);
        _start += 2;
        return bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(span) : BinaryPrimitives.ReadUInt16LittleEndian(span);
    }

    internal uint ReadUInt32(bool bigEndian)
    {
        Require(4);
        var span = _buffer.AsSpan(_start, 4);
        _start += 4;
        return bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(span) : BinaryPrimitives.ReadUInt32LittleEndian(span);
    }

    internal void ReadExactly(Span<byte> target)
    {
        Require(target.Length);
        _buffer.AsSpan(_start, target.Length).CopyTo(target);
        _start += target.Length;
    }

    /// <summary>
    /// Reads a value of the given length. Never trusts the length for the allocation: with a known
    /// stream length it is checked first, otherwise the value grows chunk by chunk as bytes arrive.
    /// </summary>
    internal byte[] ReadBytes(long length, DicomTag tag)
    {
        if (length == 0)
        {
            return [];
        }

        if (Remaining is { } remaining && length > remaining)
        {
            throw new DicomReadException($"Value length {length} exceeds the {remaining} bytes left in the stream", Position, tag);
        }

        if (length > Array.MaxLength)
        {
            throw new DicomReadException($"Value length {length} is larger than a single value can be", Position, tag);
        }

        var size = (int)length;
        var result = new byte[Remaining is null ? Math.Min(size, ChunkSize) : size];
        var filled = 0;
        while (filled < size)
        {
            if (filled == result.Length)
            {
                Array.Resize(ref result, (int)Math.Min((long)result.Length * 2, size));
            }

            var n = Fill(result.AsSpan(filled, result.Length - filled));
            if (n == 0)
            {
                throw new DicomReadException($"Stream ended after {filled} of {length} value bytes", Position, tag);
            }

            filled += n;
        }

        return result;
    }

    internal void Skip(long length, DicomTag tag)
    {
        if (Remaining is { } remaining && length > remaining)
        {
            throw new DicomReadException($"Value length {length} exceeds the {remaining} bytes left in the stream", Position, tag);
        }

        var buffered = _end - _start;
        if (length <= buffered)
        {
            _start += (int)length;
            return;
        }

        var scratch = new byte[(int)Math.Min(length, BufferSize)];
        var left = length;
        while (left > 0)
        {
            var n = Fill(scratch.AsSpan(0, (int)Math.Min(left, scratch.Length)));
            if (n == 0)
            {
                throw new DicomReadException($"Stream ended inside a value of {length} bytes", Position, tag);
            }

            left -= n;
        }
    }

    private int Fill(Span<byte> target)
    {
        if (_end > _start)
        {
            var n = Math.Min(target.Length, _end - _start);
            _buffer.AsSpan(_start, n).CopyTo(target);
            _start += n;
            return n;
        }

        if (_eof)
        {
            return 0;
        }

        // Large values bypass the buffer: read straight into the target.
        _bufferOffset += _end;
        _start = _end = 0;
        var read = _stream.Read(target);
        if (read == 0)
        {
            _eof = true;
        }

        _bufferOffset += read;
        return read;
    }

    private void Require(int count)
    {
        if (!Ensure(count))
        {
            throw new DicomReadException($"Stream ended where {count} more bytes were expected", Position, null);
        }
    }

    private sealed class PrefixedStream(byte[] prefix, Stream rest) : Stream
    {
        private int _prefixPosition;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_prefixPosition < prefix.Length)
            {
                var n = Math.Min(buffer.Length, prefix.Length - _prefixPosition);
                prefix.AsSpan(_prefixPosition, n).CopyTo(buffer);
                _prefixPosition += n;
                return n;
            }

            return rest.Read(buffer);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
