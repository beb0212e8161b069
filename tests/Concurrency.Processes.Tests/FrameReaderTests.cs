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
}
