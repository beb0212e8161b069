using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.Versioning;
using Concurrency.SharedMemory.Transport;
using CsCheck;
using Microsoft.Win32.SafeHandles;

namespace Concurrency.Fuzz.Tests;

/// <summary>
/// A worker's bytes delivered to the parent through a real shared-memory ring: a <see cref="SharedChannel"/> whose rings
/// hold <see cref="Capacity"/> bytes (so frame streams wrap around the ring's end), the worker's side opened on it as a
/// worker opens it, a worker thread that writes the bytes in chunks (optionally damaging the ring's header as a hostile
/// worker would) and then closes the channel, and the parent reading through <see cref="SharedRingStream"/>.
/// </summary>
/// <remarks>
/// Every read is checked: it returns between 0 and the smaller of the requested length and the ring's capacity (a read
/// of more than the capacity has copied from outside the ring's data area). Reads ask for at most <see cref="MaxRead"/>
/// bytes, so that a reader that did copy from outside its data area stays inside the mapping's page and the check
/// reports it instead of the process dying. Disposing closes the channel (waking a worker that waits for room), waits
/// for the worker thread and unmaps both sides.
/// </remarks>
[SupportedOSPlatform("linux")]
internal sealed class RingTransport : Stream
{
    /// <summary>The capacity of each ring: smaller than most frame streams, so they wrap around its end.</summary>
    public const int Capacity = 64;

    /// <summary>The most a read asks for (the channel's memory is 2 × (header + capacity) bytes in one page).</summary>
    public const int MaxRead = 256;

    /// <summary>How long the worker thread may take once the parent has stopped reading and closed the channel.</summary>
    private static readonly TimeSpan WorkerExit = TimeSpan.FromSeconds(60);

    private readonly SharedChannel _parent;
    private readonly SharedChannel _worker;
    private readonly SharedRingStream _stream;
    private readonly Thread _thread;
    private readonly Timer? _watchdog;
    private Exception? _workerFailure;
    private int _watchdogFired;

    private RingTransport(byte[] bytes, int chunk, IReadOnlyList<HeaderDamage> damage, TimeSpan? watchdog)
    {
        _parent = SharedChannel.Create(Capacity);
        _worker = SharedChannel.Open(_parent.Name, Capacity);
        _stream = new SharedRingStream(_parent, ownsChannel: false);
        _thread = new Thread(() => RunWorker(bytes, chunk, damage)) { IsBackground = true, Name = "fuzz ring worker" };
        _thread.Start();
        if (watchdog is { } patience)
        {
            _watchdog = new Timer(_ => FireWatchdog(), null, patience, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Gets a value indicating whether the watchdog closed the channel (the worker and the parent were both waiting).</summary>
    public bool WatchdogFired => Volatile.Read(ref _watchdogFired) != 0;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Opens a ring the worker thread writes <paramref name="bytes"/> to in chunks of <paramref name="chunk"/> bytes.</summary>
    public static RingTransport Open(byte[] bytes, int chunk) => new(bytes, chunk, [], watchdog: null);

    /// <summary>
    /// Opens a ring the worker thread writes <paramref name="bytes"/> to, applying <paramref name="damage"/> to the header
    /// of the ring between its writes. A damaged header can leave both sides waiting for each other without any fault of
    /// the parent (a worker that rewrote the parent's position so that its ring looks full, while the parent has read
    /// everything): after <paramref name="watchdog"/> the channel is closed, as the pool closes a worker's channel
    /// when it gives up on it, which ends both waits.
    /// </summary>
    public static RingTransport OpenDamaged(byte[] bytes, int chunk, IReadOnlyList<HeaderDamage> damage, TimeSpan watchdog) =>
        new(bytes, chunk, damage, watchdog);

    /// <summary>Gets the number of channel memory files this process has open (each open channel has one).</summary>
    public static int OpenChannelFiles() =>
        Directory.EnumerateFileSystemEntries("/proc/self/fd").Count(fd =>
        {
            try
            {
                return new FileInfo(fd).LinkTarget?.StartsWith("/memfd:" + SharedChannel.ChannelFileName, StringComparison.Ordinal) == true;
            }
            catch (IOException)
            {
                return false; // closed while we looked
            }
        });

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var asked = Math.Min(buffer.Length, MaxRead);
        var read = _stream.Read(buffer[..asked]);
        if (read < 0 || read > asked || read > Capacity)
        {
            throw new FuzzFindingException(string.Create(
                CultureInfo.InvariantCulture, $"A read of {asked} bytes from a ring of {Capacity} returned {read}: it copied from outside the ring's data area."));
        }

        return read;
    }

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _watchdog?.Dispose();

            // The parent stopped reading (the stream ended or was rejected): closing wakes a worker waiting for room.
            _parent.Close();
            var exited = _thread.Join(WorkerExit);
            _stream.Dispose();
            _parent.Dispose();
            if (exited)
            {
                _worker.Dispose();
            }

            if (!exited)
            {
                throw new FuzzFindingException($"The worker thread did not end within {WorkerExit} of the channel's close.");
            }

            if (_workerFailure is { } failure)
            {
                throw new FuzzFindingException($"Writing to the ring threw {failure.GetType().FullName}: {failure.Message}", failure);
            }
        }

        base.Dispose(disposing);
    }

    private void FireWatchdog()
    {
        Volatile.Write(ref _watchdogFired, 1);
        _parent.Close();
    }

    /// <summary>The worker: writes the bytes in chunks, damaging the header where told, then closes the channel.</summary>
    private void RunWorker(byte[] bytes, int chunk, IReadOnlyList<HeaderDamage> damage)
    {
        SafeFileHandle? file = null;
        try
        {
            file = damage.Count == 0 ? null : File.OpenHandle(_parent.Name, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
            var chunks = 0;
            for (var offset = 0; offset < bytes.Length; offset += chunk, chunks++)
            {
                Damage(file, damage, chunks);
                _worker.Write(bytes.AsSpan(offset, Math.Min(chunk, bytes.Length - offset)));
            }

            foreach (var late in damage.Where(d => d.AfterChunk >= chunks))
            {
                late.Apply(file!);
            }
        }
        catch (IOException)
        {
            // The channel was closed by the parent, or the worker's own ring (whose consumer position it may have
            // damaged) looked corrupt to it: a worker stops writing then.
        }
#pragma warning disable CA1031 // Anything else the worker's side throws is reported by Dispose.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _workerFailure = ex;
        }
        finally
        {
            file?.Dispose();
            _worker.Close();
        }
    }

    private static void Damage(SafeFileHandle? file, IReadOnlyList<HeaderDamage> damage, int chunk)
    {
        foreach (var d in damage)
        {
            if (d.AfterChunk == chunk)
            {
                d.Apply(file!);
            }
        }
    }
}

/// <summary>A word of a ring's header (see <see cref="SharedRing"/>).</summary>
internal enum HeaderWord
{
    Head,
    DataSeq,
    ReaderAsleep,
    Tail,
    SpaceSeq,
    WriterAsleep,
    Closed,
    SpinMicros,
}

/// <summary>What a damaged word is set relative to: nothing, or the producer's or the consumer's position as the header holds it then.</summary>
internal enum DamageBase
{
    Absolute,
    Head,
    Tail,
}

/// <summary>
/// A value a hostile worker writes over a word of the header of the ring it writes to the parent, before its
/// <see cref="AfterChunk"/>-th write (after its last one when the stream has fewer chunks).
/// </summary>
[SupportedOSPlatform("linux")]
internal readonly record struct HeaderDamage(HeaderWord Word, DamageBase Base, long Value, int AfterChunk)
{
    /// <summary>Where the ring the worker writes to the parent starts in the channel's memory file (it follows the ring to the worker).</summary>
    private const long RingToParent = SharedRing.HeaderSize + RingTransport.Capacity;

    /// <summary>Values that break position and flag checks: signs, overflow, the ring's capacity and its neighbours.</summary>
    private static readonly long[] Boundaries =
    [
        0, 1, -1, 2, RingTransport.Capacity - 1, RingTransport.Capacity, RingTransport.Capacity + 1, 2 * RingTransport.Capacity, -RingTransport.Capacity,
        -RingTransport.Capacity - 1, int.MaxValue, int.MinValue, uint.MaxValue, 1L << 32, long.MaxValue, long.MinValue, long.MaxValue - RingTransport.Capacity,
        long.MinValue + 1,
    ];

    /// <summary>Gets a generator of damage, weighted towards the producer's position, the word the reader takes from the worker.</summary>
    public static Gen<HeaderDamage> Gen { get; } = CsCheck.Gen.Select(
        CsCheck.Gen.Frequency((6, CsCheck.Gen.Const(HeaderWord.Head)), (3, CsCheck.Gen.Enum<HeaderWord>())),
        CsCheck.Gen.Frequency((1, CsCheck.Gen.Const(DamageBase.Absolute)), (1, CsCheck.Gen.Const(DamageBase.Head)), (3, CsCheck.Gen.Const(DamageBase.Tail))),
        CsCheck.Gen.Frequency((2, CsCheck.Gen.OneOf(Boundaries)), (1, CsCheck.Gen.Long[-2 * RingTransport.Capacity, 2 * RingTransport.Capacity])),
        CsCheck.Gen.Int[0, 24],
        (word, from, value, after) => new HeaderDamage(word, from, value, after));

    /// <summary>Writes the damage into the channel's memory file, as the worker could write into its mapping.</summary>
    public void Apply(SafeFileHandle file)
    {
        var value = Base switch
        {
            DamageBase.Head => unchecked(ReadInt64(file, SharedRing.HeadOffset) + Value),
            DamageBase.Tail => unchecked(ReadInt64(file, SharedRing.TailOffset) + Value),
            _ => Value,
        };
        var (offset, size) = Word switch
        {
            HeaderWord.Head => (SharedRing.HeadOffset, 8),
            HeaderWord.Tail => (SharedRing.TailOffset, 8),
            HeaderWord.DataSeq => (SharedRing.DataSeqOffset, 4),
            HeaderWord.ReaderAsleep => (SharedRing.ReaderAsleepOffset, 4),
            HeaderWord.SpaceSeq => (SharedRing.SpaceSeqOffset, 4),
            HeaderWord.WriterAsleep => (SharedRing.WriterAsleepOffset, 4),
            HeaderWord.Closed => (SharedRing.ClosedOffset, 4),
            _ => (SharedRing.SpinOffset, 4),
        };
        Span<byte> word = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(word, value);
        RandomAccess.Write(file, word[..size], RingToParent + offset);
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Word} = {(Base == DamageBase.Absolute ? string.Empty : Base + " + ")}{Value} before write {AfterChunk}");

    private static long ReadInt64(SafeFileHandle file, int offset)
    {
        Span<byte> word = stackalloc byte[8];
        RandomAccess.Read(file, word, RingToParent + offset);
        return BinaryPrimitives.ReadInt64LittleEndian(word);
    }
}
