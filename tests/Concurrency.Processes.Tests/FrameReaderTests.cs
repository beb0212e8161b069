using System.Runtime.InteropServices;
using Concurrency.Processes.Internal;

namespace Concurrency.Processes.Tests;

public sealed class FrameReaderTests
{
    [Fact]
    public void TryReadFrame_SeveralFramesInOneRead_ReadsEachThenEndsCleanly()
    {
        var buffer = new FrameBuffer();
        buffer.BeginFrame(FrameType.Cancel);
        buffer.WriteInt32(1);
        buffer.WriteInt32(2);
        buffer.EndFrame();
        buffer.BeginFrame(FrameType.Shutdown);
        buffer.EndFrame();
        var reader = new FrameReader(new MemoryStream(buffer.WrittenSpan.ToArray()), initialCapacity: 8);

        Assert.True(reader.TryReadFrame(out var type, out var payload));
        Assert.Equal(FrameType.Cancel, type);
        var fields = new PayloadReader(payload, type);
        Assert.Equal(1, fields.ReadInt32());
        Assert.Equal(2, fields.ReadInt32());
        Assert.True(reader.TryReadFrame(out type, out payload));
        Assert.Equal(FrameType.Shutdown, type);
        Assert.Equal(0, payload.Length);
        Assert.False(reader.TryReadFrame(out _, out _));
    }

    [Theory]
    [InlineData(new byte[] { 4, 0 }, "Truncated message: the stream ended after 2 of the 5 bytes of a frame.")]
    [InlineData(new byte[] { 4, 0, 0, 0, 4, 1, 2 }, "Truncated message: the stream ended after 7 of the 9 bytes of a frame.")]
    [InlineData(new byte[] { 0, 0, 0, 0, 99 }, "Malformed message: unknown frame type 99.")]
    [InlineData(new byte[] { 0, 0, 0, 0x80, 4 }, "Malformed message: a frame announces a payload of -2147483648 bytes; the limit is 1073741824.")]
    public void TryReadFrame_TruncatedOrMalformed_ThrowsInvalidDataException(byte[] bytes, string message)
    {
        var reader = new FrameReader(new MemoryStream(bytes));
        var ex = Assert.Throws<InvalidDataException>(() => reader.TryReadFrame(out _, out _));
        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void PayloadReader_ReadPastTheEnd_ThrowsInvalidDataException()
    {
        var reader = new PayloadReader(new byte[] { 1, 2 }, FrameType.Batch);
        var ex = Assert.Throws<InvalidDataException>(() => reader.ReadInt32());
        Assert.Equal("Malformed message: a Batch frame of 2 bytes is inconsistent (4 more bytes needed with 2 left).", ex.Message);
    }

    [Fact]
    public void PayloadReader_NegativeLength_ThrowsInvalidDataException()
    {
        var reader = new PayloadReader(new byte[] { 1, 2 }, FrameType.Results);
        var ex = Assert.Throws<InvalidDataException>(() => reader.ReadSpan(-1).Length);
        Assert.Equal("Malformed message: a Results frame of 2 bytes is inconsistent (-1 more bytes needed with 2 left).", ex.Message);
    }

    /// <summary>A header that announces 1 GiB followed by 100 KB: the buffer grows with the bytes that arrived, not to the announced length.</summary>
    [Fact]
    public void TryReadFrame_HeaderAnnouncesAGigabyteThenTheStreamEnds_AllocatesOnlyForWhatArrived()
    {
        var stream = new GeneratedStream(FrameType.Results, Protocol.MaxPayloadLength, sendPayload: 100_000);
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var reader = new FrameReader(stream);

        var ex = Assert.Throws<InvalidDataException>(() => reader.TryReadFrame(out _, out _));

        Assert.Equal($"Truncated message: the stream ended after 100005 of the {Protocol.HeaderSize + Protocol.MaxPayloadLength} bytes of a frame.", ex.Message);
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - allocatedBefore, 0, 1024 * 1024);
        Assert.True(reader.EndedMidFrame);
    }

    /// <summary>A frame larger than the keep limit, then a small one: the large buffer is released, not kept for the worker's life.</summary>
    [Fact]
    public void TryReadFrame_AfterAFrameLargerThanTheKeepLimit_ReleasesItsBuffer()
    {
        const int Large = Protocol.BufferKeepLimit + 1;
        var reader = new FrameReader(new GeneratedStream(FrameType.Results, Large, sendPayload: Large, then: [0, 0, 0, 0, (byte)FrameType.Ready]));
        var large = ReadLargeFrame(reader, Large);

        Assert.True(reader.TryReadFrame(out var type, out var payload));
        GC.Collect();

        Assert.Equal(FrameType.Ready, type);
        Assert.Equal(0, payload.Length);
        Assert.False(large.IsAlive);
        Assert.False(reader.TryReadFrame(out _, out _));
    }

    /// <summary>Reads the large frame; returns a weak reference to the buffer it grew (in a method of its own, so that no local of the caller holds it).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference ReadLargeFrame(FrameReader reader, int length)
    {
        Assert.True(reader.TryReadFrame(out _, out var payload));
        Assert.Equal(length, payload.Length);
        Assert.True(MemoryMarshal.TryGetArray(payload, out var segment));
        Assert.True(segment.Array!.Length > Protocol.BufferKeepLimit);
        return new WeakReference(segment.Array);
    }

    /// <summary>A frame header announcing <c>announced</c> bytes, then <c>sendPayload</c> bytes of it (generated, not held), then <c>then</c>, then the end.</summary>
    private sealed class GeneratedStream(FrameType type, int announced, int sendPayload, byte[]? then = null) : Stream
    {
        private readonly byte[] _header = Header(type, announced);
        private readonly byte[] _then = then ?? [];
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var total = _header.Length + (long)sendPayload + _then.Length;
            var n = (int)Math.Min(count, total - _position);
            for (var i = 0; i < n; i++, _position++)
            {
                buffer[offset + i] = _position < _header.Length ? _header[_position]
                    : _position < _header.Length + (long)sendPayload ? (byte)0x5a
                    : _then[_position - _header.Length - sendPayload];
            }

            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private static byte[] Header(FrameType type, int length)
        {
            var header = new byte[Protocol.HeaderSize];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(header, length);
            header[4] = (byte)type;
            return header;
        }
    }
}
