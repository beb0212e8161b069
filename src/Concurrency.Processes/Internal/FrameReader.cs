using System.Buffers.Binary;

namespace Concurrency.Processes.Internal;

/// <summary>
/// Reads frames from a stream through a reusable buffer: one read call usually brings several frames.
/// A stream that ends between frames is a clean end; one that ends inside a frame, a length out of
/// range or an unknown frame type is an <see cref="InvalidDataException"/> — never a hang.
/// </summary>
/// <remarks>
/// <para>Not thread-safe: one reader thread owns it. A payload stays valid until the next read.</para>
/// <para>
/// The length in a frame's header is the writer's claim, not a fact: the buffer grows with the bytes that actually
/// arrive (at most doubling per step, never past the frame), so a header that announces a large payload and is
/// followed by nothing costs nothing. A buffer grown past <see cref="Protocol.BufferKeepLimit"/> for a large frame is
/// released once that frame has been read.
/// </para>
/// </remarks>
internal sealed class FrameReader
{
    private readonly Stream _stream;
    private readonly int _initialCapacity;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private long _stalledSince;

    public FrameReader(Stream stream, int initialCapacity = 64 * 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(initialCapacity, Protocol.HeaderSize);
        _stream = stream;
        _initialCapacity = initialCapacity;
        _buffer = new byte[initialCapacity];
    }

    /// <summary>
    /// Gets when the reader last received bytes while inside a frame, in <see cref="System.Diagnostics.Stopwatch"/> ticks,
    /// or 0 when it waits between frames. A frame that stops arriving half-way (the writer alive but silent) is
    /// noticed by a supervisor through this value, so that it is never an endless wait.
    /// </summary>
    public long InsideFrameSince => Volatile.Read(ref _stalledSince);

    /// <summary>Gets a value indicating whether the stream ended in the middle of a frame: its writer went away while it wrote (a worker that died), rather than wrote garbage.</summary>
    public bool EndedMidFrame { get; private set; }

    /// <summary>Gets the size of the buffer, which the bytes received so far have grown it to.</summary>
    public int Capacity => _buffer.Length;

    /// <summary>Reads the next frame.</summary>
    /// <returns><see langword="false"/> when the stream ended cleanly between frames.</returns>
    /// <exception cref="InvalidDataException">The stream ended inside a frame, or the frame is malformed.</exception>
    public bool TryReadFrame(out FrameType type, out ReadOnlyMemory<byte> payload)
    {
        ReleaseLargeBuffer();
        if (!Fill(Protocol.HeaderSize, atBoundary: true))
        {
            type = default;
            payload = default;
            return false;
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(_buffer.AsSpan(_start));
        var rawType = _buffer[_start + 4];
        if (length is < 0 or > Protocol.MaxPayloadLength)
        {
            throw new InvalidDataException($"Malformed message: a frame announces a payload of {length} bytes; the limit is {Protocol.MaxPayloadLength}.");
        }

        type = (FrameType)rawType;
        if (type is not (FrameType.Hello or FrameType.DefineWorkload or FrameType.Batch or FrameType.Cancel or FrameType.Shutdown
            or FrameType.Ready or FrameType.StartFailed or FrameType.Results))
        {
            throw new InvalidDataException($"Malformed message: unknown frame type {rawType}.");
        }

        Fill(Protocol.HeaderSize + length, atBoundary: false);
        payload = _buffer.AsMemory(_start + Protocol.HeaderSize, length);
        _start += Protocol.HeaderSize + length;
        Volatile.Write(ref _stalledSince, 0);
        return true;
    }

    /// <summary>Replaces a buffer that a large frame grew past the keep limit (its payload has been handled) by one of the initial size.</summary>
    private void ReleaseLargeBuffer()
    {
        var have = _end - _start;
        if (_buffer.Length <= Protocol.BufferKeepLimit || have > _initialCapacity)
        {
            return;
        }

        var smaller = new byte[_initialCapacity];
        Buffer.BlockCopy(_buffer, _start, smaller, 0, have);
        _buffer = smaller;
        _start = 0;
        _end = have;
    }

    /// <summary>Reads until <paramref name="needed"/> bytes (at most <see cref="Protocol.HeaderSize"/> + <see cref="Protocol.MaxPayloadLength"/>) are buffered from <see cref="_start"/>.</summary>
    private bool Fill(int needed, bool atBoundary)
    {
        while (_end - _start < needed)
        {
            if (_end == _buffer.Length)
            {
                // No room left after what is buffered: move the partial frame to the front, or, if it fills the whole
                // buffer, grow by what has arrived (double), capped at the frame's length.
                var have = _end - _start;
                var target = _start > 0 ? _buffer : new byte[(int)Math.Min(needed, 2L * _buffer.Length)];
                Buffer.BlockCopy(_buffer, _start, target, 0, have);
                _buffer = target;
                _start = 0;
                _end = have;
            }

            if (!atBoundary || _end > _start)
            {
                Volatile.Write(ref _stalledSince, System.Diagnostics.Stopwatch.GetTimestamp());
            }

            var read = _stream.Read(_buffer, _end, _buffer.Length - _end);
            if (read == 0)
            {
                if (atBoundary && _end == _start)
                {
                    return false;
                }

                EndedMidFrame = true;
                throw new InvalidDataException($"Truncated message: the stream ended after {_end - _start} of the {needed} bytes of a frame.");
            }

            _end += read;
        }

        return true;
    }
}

/// <summary>Reads the fields of a payload, with bounds checks that report a malformed message (<see cref="InvalidDataException"/>), whatever the lengths it reads.</summary>
internal struct PayloadReader
{
    private readonly ReadOnlyMemory<byte> _payload;
    private readonly FrameType _type;
    private int _position;

    public PayloadReader(ReadOnlyMemory<byte> payload, FrameType type)
    {
        _payload = payload;
        _type = type;
        _position = 0;
    }

    public readonly int Remaining => _payload.Length - _position;

    public byte ReadByte() => Take(1)[0];

    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public string? ReadString()
    {
        var length = ReadInt32();
        if (length == -1)
        {
            return null;
        }

        if (length < 0)
        {
            throw Malformed($"a string length of {length}");
        }

        return System.Text.Encoding.UTF8.GetString(Take(length));
    }

    public string ReadRequiredString() => ReadString() ?? throw Malformed("a missing string");

    /// <summary>Reads a length-prefixed block.</summary>
    public ReadOnlyMemory<byte> ReadBlock()
    {
        var length = ReadInt32();
        if (length < 0 || length > Remaining)
        {
            throw Malformed($"a block of {length} bytes with {Remaining} left");
        }

        var block = _payload.Slice(_position, length);
        _position += length;
        return block;
    }

    public ReadOnlySpan<byte> ReadSpan(int length) => Take(length);

    private ReadOnlySpan<byte> Take(int count)
    {
        if ((uint)count > (uint)Remaining)
        {
            throw Malformed($"{count} more bytes needed with {Remaining} left");
        }

        var span = _payload.Span.Slice(_position, count);
        _position += count;
        return span;
    }

    private readonly InvalidDataException Malformed(string what) =>
        new($"Malformed message: a {_type} frame of {_payload.Length} bytes is inconsistent ({what}).");
}
