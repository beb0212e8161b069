namespace Concurrency.SharedMemory.Transport;

/// <summary>A <see cref="Stream"/> over a <see cref="SharedChannel"/>: reads from its incoming ring, writes to its outgoing ring.</summary>
/// <remarks>Reads block the calling thread (a futex sleep when idle): read from a dedicated thread.</remarks>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class SharedRingStream(SharedChannel channel, bool ownsChannel) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer) => channel.Read(buffer);

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer) => channel.Write(buffer);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Write(buffer.Span);
        return default;
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && ownsChannel)
        {
            channel.Dispose();
        }

        base.Dispose(disposing);
    }
}
