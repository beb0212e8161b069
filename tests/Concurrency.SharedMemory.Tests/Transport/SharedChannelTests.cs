using System.Runtime.Versioning;
using Concurrency.Processes.Tests;
using Concurrency.SharedMemory.Transport;

namespace Concurrency.SharedMemory.Tests.Transport;

[SupportedOSPlatform("linux")]
public sealed class SharedChannelTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public void Create_File_IsAnUnnamedMemoryFilePrivateToTheOwnerAndSealedAgainstTruncation()
    {
        var before = Concurrency.Testing.LeakCheck.SharedMemoryFiles("concurrency-");
        using var first = SharedChannel.Create(4096);
        using var second = SharedChannel.Create(4096);

        Assert.Matches($"^/proc/{Environment.ProcessId}/fd/[0-9]+$", first.Name);
        Assert.NotEqual(first.Name, second.Name);
        Assert.StartsWith("/memfd:concurrency-channel", new FileInfo(first.Name).LinkTarget, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(first.Name));
        Assert.Equal(before, Concurrency.Testing.LeakCheck.SharedMemoryFiles("concurrency-"));

        // What a worker could do with the file it opens: neither shrink it under the parent's mapping nor grow it.
        using var opened = new FileStream(first.Name, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        Assert.Throws<UnauthorizedAccessException>(() => opened.SetLength(100));
        Assert.Throws<UnauthorizedAccessException>(() => opened.SetLength(1 << 20));
        Assert.Equal(2 * (SharedRing.HeaderSize + 4096), opened.Length);
    }

    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData("/dev/shm/concurrency-1-2-0123456789abcdef0123456789abcdef")]
    [InlineData("/proc/1/fd/../../self/mem")]
    [InlineData("/proc/self/fd/3")]
    public void Open_NameThatIsNotAChannel_ThrowsArgumentException(string name)
    {
        var error = Assert.Throws<ArgumentException>("name", () => SharedChannel.Open(name, 4096));
        Assert.StartsWith($"'{name}' is not the path of a shared-memory channel.", error.Message);
    }

    [Theory]
    [InlineData(-1L)] // Head moved behind Tail
    [InlineData(4097L)] // Head more than a ring ahead of Tail
    [InlineData(long.MinValue)]
    public void Read_ProducerPositionOutsideTheRing_ThrowsInvalidDataExceptionAndCopiesNothing(long distance)
    {
        using var parent = SharedChannel.Create(4096);
        using var worker = SharedChannel.Open(parent.Name, 4096);
        worker.Write(new byte[100]);
        ReadExactly(parent.Incoming, 100);

        // The worker rewrites the Head of the ring it writes to the parent (the second ring).
        var head = unchecked(100 + distance);
        WriteWord(parent.Name, SharedRing.HeaderSize + 4096, head);
        var destination = new byte[16];

        var ex = Assert.Throws<InvalidDataException>(() => parent.Read(destination));

        Assert.Equal(
            $"Corrupt shared-memory ring: the producer's position {head} and the consumer's position 100 are {distance} bytes apart, outside 0..4096 " +
            "(the ring's capacity). The other process overwrote the ring's header; the channel cannot be used any more.",
            ex.Message);
        Assert.All(destination, b => Assert.Equal(0, b));
    }

    [Theory]
    [InlineData(1L)] // Tail moved ahead of Head: the free space would exceed the ring, and the write would run past its data
    [InlineData(-4097L)] // Tail more than a ring behind Head
    public void Write_ConsumerPositionOutsideTheRing_FailsTheWriteClosesTheChannelAndTheReaderReportsTheCorruption(long distance)
    {
        using var parent = SharedChannel.Create(4096);
        using var worker = SharedChannel.Open(parent.Name, 4096);
        parent.Write(new byte[100]);

        // The worker rewrites the Tail of the ring the parent writes to it (the first ring).
        WriteWord(parent.Name, 64, 100 + distance);
        var message =
            $"Corrupt shared-memory ring: the producer's position 100 and the consumer's position {100 + distance} are {-distance} bytes apart, outside 0..4096 " +
            "(the ring's capacity). The other process overwrote the ring's header; the channel cannot be used any more.";

        var write = Assert.Throws<IOException>(() => parent.Write(new byte[10]));
        var read = Assert.Throws<InvalidDataException>(() => parent.Read(new byte[10]));

        Assert.Equal(message, write.Message);
        Assert.Equal(message, read.Message);
        Assert.True(parent.Outgoing.IsClosed);
        Assert.Equal(-distance, parent.Outgoing.Available); // nothing more was written: Head is still 100
    }

    [Fact]
    public async Task Write_ManyChunksBothWays_ArriveIntactAndInOrder()
    {
        using var parent = SharedChannel.Create(4096);
        using var worker = SharedChannel.Open(parent.Name, 4096);

        // 4 MiB through a 4 KiB ring: it wraps and fills many times, so both sides sleep and wake.
        var toWorker = Pattern(4 << 20, seed: 1);
        var toParent = Pattern(3 << 20, seed: 2);

        var tasks = new[]
        {
            Task.Factory.StartNew(() => WriteInChunks(parent.Outgoing, toWorker, seed: 3), TaskCreationOptions.LongRunning),
            Task.Factory.StartNew(() => WriteInChunks(worker.Outgoing, toParent, seed: 4), TaskCreationOptions.LongRunning),
        };
        var received = new[]
        {
            Task.Factory.StartNew(() => ReadExactly(worker.Incoming, toWorker.Length), TaskCreationOptions.LongRunning),
            Task.Factory.StartNew(() => ReadExactly(parent.Incoming, toParent.Length), TaskCreationOptions.LongRunning),
        };

        await Task.WhenAll(tasks).WaitAsync(Patience);
        Assert.Equal(toWorker, await received[0].WaitAsync(Patience));
        Assert.Equal(toParent, await received[1].WaitAsync(Patience));
    }

    [Fact]
    public async Task Close_WhileTheReaderSleeps_WakesItWithEndOfStream()
    {
        using var parent = SharedChannel.Create(4096);
        using var worker = SharedChannel.Open(parent.Name, 4096);
        var reader = Task.Factory.StartNew(() => worker.Incoming.Read(new byte[16]), TaskCreationOptions.LongRunning);

        parent.Close();

        Assert.Equal(0, await reader.WaitAsync(Patience));
        Assert.Throws<IOException>(() => parent.Outgoing.Write(new byte[1]));
    }

    [Fact]
    public async Task Close_WhileTheWriterWaitsForRoom_FailsTheWriteWithIOException()
    {
        using var parent = SharedChannel.Create(4096);
        using var worker = SharedChannel.Open(parent.Name, 4096);
        var writer = Task.Factory.StartNew(() => parent.Outgoing.Write(new byte[3 * 4096]), TaskCreationOptions.LongRunning);
        Assert.True(SpinWait.SpinUntil(() => parent.Outgoing.Available == 4096, Patience), "the ring never filled");

        // The reader is gone (a worker that died): the supervisor closes the channel.
        worker.Close();

        var ex = await Assert.ThrowsAsync<IOException>(() => writer.WaitAsync(Patience));
        Assert.Equal("The shared-memory channel was closed by the other side.", ex.Message);
    }

    [Fact]
    public async Task Dispose_WhileTheWriterWaitsForRoom_FailsTheWriteThenLaterUsesThrowObjectDisposed()
    {
        var parent = SharedChannel.Create(4096);
        using var worker = SharedChannel.Open(parent.Name, 4096);
        var writer = Task.Factory.StartNew(() => parent.Write(new byte[3 * 4096]), TaskCreationOptions.LongRunning);
        Assert.True(SpinWait.SpinUntil(() => parent.Outgoing.Available == 4096, Patience), "the ring never filled");

        // The supervisor disposes a dead worker's channel while another thread of the pool still writes to it. Were the
        // memory unmapped under the writer, or touched after disposal, the process would die of an access violation.
        parent.Dispose();

        var ex = await Assert.ThrowsAsync<IOException>(() => writer.WaitAsync(Patience));
        Assert.Equal("The shared-memory channel was closed by the other side.", ex.Message);
        Assert.Throws<ObjectDisposedException>(() => parent.Write(new byte[1]));
    }

    [Fact]
    public async Task Dispose_WhileTheReaderSleeps_EndsTheReadThenLaterUsesThrowObjectDisposed()
    {
        var parent = SharedChannel.Create(4096);
        using var worker = SharedChannel.Open(parent.Name, 4096);
        var readerId = 0;
        var reader = Task.Factory.StartNew(
            () =>
            {
                Volatile.Write(ref readerId, TestSupport.CurrentThreadId());
                return parent.Read(new byte[16]);
            },
            TaskCreationOptions.LongRunning);
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref readerId) != 0 && TestSupport.ThreadState(readerId) == 'S', Patience), "the reader never slept");

        parent.Dispose();

        Assert.Equal(0, await reader.WaitAsync(Patience));
        Assert.Throws<ObjectDisposedException>(() => parent.Read(new byte[16]));
        parent.Close(); // closing a disposed channel does nothing
    }

    [Fact]
    public void Read_AfterClose_ReturnsWhatIsLeftThenEndOfStream()
    {
        using var parent = SharedChannel.Create(4096);
        using var worker = SharedChannel.Open(parent.Name, 4096);
        parent.Outgoing.Write([1, 2, 3]);

        parent.Close();

        var buffer = new byte[8];
        Assert.Equal(3, worker.Incoming.Read(buffer));
        Assert.Equal(new byte[] { 1, 2, 3 }, buffer[..3]);
        Assert.Equal(0, worker.Incoming.Read(buffer));
    }

    private static byte[] Pattern(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static void WriteInChunks(SharedRing ring, byte[] data, int seed)
    {
        var random = new Random(seed);
        for (var offset = 0; offset < data.Length;)
        {
            var count = Math.Min(random.Next(1, 9000), data.Length - offset);
            ring.Write(data.AsSpan(offset, count));
            offset += count;
        }
    }

    private static byte[] ReadExactly(SharedRing ring, int length)
    {
        var result = new byte[length];
        for (var offset = 0; offset < length;)
        {
            var read = ring.Read(result.AsSpan(offset, Math.Min(5000, length - offset)));
            Assert.NotEqual(0, read);
            offset += read;
        }

        return result;
    }

    /// <summary>Writes a 64-bit word into the channel's memory file, as the other process could.</summary>
    private static void WriteWord(string channel, long offset, long value)
    {
        using var file = File.OpenHandle(channel, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        var word = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(word, value);
        RandomAccess.Write(file, word, offset);
    }
}
