using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Concurrency.Processes.Internal;

/// <summary>
/// A reusable, growable buffer that frames are written into and then sent with one write call. Serializers
/// write straight into it (it is an <see cref="IBufferWriter{T}"/>), so a warm pool allocates nothing per batch.
/// </summary>
/// <remarks>Not thread-safe: each writer owns one.</remarks>
internal sealed class FrameBuffer : IBufferWriter<byte>
{
    private byte[] _buffer;
    private int _position;
    private int _frameStart = -1;

    public FrameBuffer(int initialCapacity = 16 * 1024) => _buffer = new byte[initialCapacity];

    /// <summary>Gets or sets the write position; setting it back discards what was written after it.</summary>
    public int Position
    {
        get => _position;
        set
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)value, (uint)_position, nameof(value));
            _position = value;
        }
    }

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _position);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _position);

    public void Reset()
    {
        _position = 0;
        _frameStart = -1;
        if (_buffer.Length > Protocol.BufferKeepLimit)
        {
            _buffer = new byte[16 * 1024];
        }
    }

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length - _position);
        _position += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_position);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_position);
    }

    public void BeginFrame(FrameType type)
    {
        Ensure(Protocol.HeaderSize);
        _frameStart = _position;
        _buffer[_position + 4] = (byte)type;
        _position += Protocol.HeaderSize;
    }

    public void EndFrame()
    {
        var length = _position - _frameStart - Protocol.HeaderSize;
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_frameStart), length);
        _frameStart = -1;
    }

    public void WriteByte(byte value)
    {
        Ensure(1);
        _buffer[_position++] = value;
    }

    public void WriteInt32(int value)
    {
        Ensure(4);
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_position), value);
        _position += 4;
    }

    public void WriteInt64(long value)
    {
        Ensure(8);
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(_position), value);
        _position += 8;
    }

    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteInt32(-1);
            return;
        }

        var count = Encoding.UTF8.GetByteCount(value);
        WriteInt32(count);
        Ensure(count);
        _position += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_position));
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_position));
        _position += bytes.Length;
    }

    /// <summary>Reserves <paramref name="count"/> bytes to be filled later with <see cref="Patch"/>; returns their offset.</summary>
    public int Reserve(int count)
    {
        Ensure(count);
        var offset = _position;
        _position += count;
        return offset;
    }

    /// <summary>Gets the bytes at <paramref name="offset"/>, to fill a reserved region.</summary>
    public Span<byte> Patch(int offset, int count) => _buffer.AsSpan(offset, count);

    private void Ensure(int sizeHint)
    {
        if (sizeHint < 1)
        {
            sizeHint = 256;
        }

        if (_buffer.Length - _position >= sizeHint)
        {
            return;
        }

        var needed = (long)_position + sizeHint;
        var size = Math.Max(needed, Math.Min((long)_buffer.Length * 2, Array.MaxLength));
        if (size > Array.MaxLength)
        {
            throw new InvalidOperationException($"A message would exceed {Array.MaxLength} bytes; send smaller batches or inputs.");
        }

        Array.Resize(ref _buffer, (int)size);
    }
}
