using System.Diagnostics;
using System.Runtime.CompilerServices;

using Concurrency.SharedMemory.Internal;

namespace Concurrency.SharedMemory.Transport;

/// <summary>
/// A single-producer, single-consumer byte ring in shared memory: one process writes, another reads, like a
/// pipe but without a system call while data flows. An idle reader (or a writer facing a full ring) spins
/// for a configured time (yielding its core to any other runnable thread), then sleeps on a futex that the other side wakes.
/// </summary>
/// <remarks>
/// Layout (offsets in bytes from <c>_base</c>; producer and consumer fields on separate cache lines):
/// <code>
///   0  long Head          total bytes written (producer)
///   8  int  DataSeq       futex word: bumped after every write
///  12  int  ReaderAsleep  1 while the consumer sleeps on DataSeq
///  64  long Tail          total bytes read (consumer)
///  72  int  SpaceSeq      futex word: bumped after every read
///  76  int  WriterAsleep  1 while the producer sleeps on SpaceSeq
/// 128  int  Closed        1 once either side (or a supervisor) closed the ring
/// 132  int  SpinMicros    how long a waiter polls before it sleeps (set by the creator; both sides use it)
/// 192  data[capacity]     capacity is a power of two
/// </code>
/// Sleeping is race-free: a side sets its "asleep" flag with a full fence, then re-checks the condition before it
/// sleeps, and the other side bumps the sequence word with a full fence before it reads the flag — so either the
/// sleeper sees the new data or the waker sees the flag. The futex wait also re-checks the sequence word.
/// A dead peer cannot wedge the ring: sleeps are bounded, and the supervisor that notices the death calls
/// <see cref="Close"/>, which wakes both sides.
/// <para>
/// Neither side trusts what the other can write. Each side keeps its own position (Head for the producer, Tail for
/// the consumer) in private memory and only publishes it; the other side's position is read once per pass and checked
/// (<c>0 &lt;= Head - Tail &lt;= capacity</c>) before it is used, and every offset into the data area is derived from
/// the private position, so it lies inside the data whatever the header holds. A violated invariant throws
/// <see cref="InvalidDataException"/>: the other process wrote to the ring's header.
/// </para>
/// </remarks>
internal sealed unsafe class SharedRing
{
    /// <summary>The bytes in front of the data area.</summary>
    public const int HeaderSize = 192;

    // The header's words (see the layout above), by offset from the start of the ring.
    internal const int HeadOffset = 0;
    internal const int DataSeqOffset = 8;
    internal const int ReaderAsleepOffset = 12;
    internal const int TailOffset = 64;
    internal const int SpaceSeqOffset = 72;
    internal const int WriterAsleepOffset = 76;
    internal const int ClosedOffset = 128;
    internal const int SpinOffset = 132;

    /// <summary>How long one futex sleep lasts before the sleeper looks again (a peer that died without closing the ring).</summary>
    private static readonly TimeSpan SleepSlice = TimeSpan.FromMilliseconds(100);

    private readonly byte* _base;
    private readonly byte* _data;
    private readonly long _mask;
    private readonly long _spinTicks;

    // This side's own position, never read back from shared memory: Head when this side writes, Tail when it reads.
    private long _head;
    private long _tail;

    /// <summary>Initializes a ring over <paramref name="memory"/>, which holds <see cref="HeaderSize"/> + <paramref name="capacity"/> bytes.</summary>
    /// <param name="memory">The start of the ring in a shared mapping, 64-byte aligned.</param>
    /// <param name="capacity">The data capacity, a power of two.</param>
    /// <param name="initialize">Whether to zero the header (the creating side only).</param>
    /// <param name="spinMicroseconds">The creating side: how long a waiter polls before it sleeps. The other side reads it from the header.</param>
    public SharedRing(byte* memory, int capacity, bool initialize, int spinMicroseconds = 0)
    {
        Debug.Assert(capacity > 0 && (capacity & (capacity - 1)) == 0, "The capacity is a power of two.");
        _base = memory;
        _data = memory + HeaderSize;
        Capacity = capacity;
        _mask = capacity - 1;
        if (initialize)
        {
            new Span<byte>(memory, HeaderSize).Clear();
            *(int*)(memory + SpinOffset) = Math.Max(0, spinMicroseconds);
        }

        SpinMicroseconds = Math.Clamp(Volatile.Read(ref *(int*)(memory + SpinOffset)), 0, MaxSpinMicroseconds);
        _spinTicks = Stopwatch.Frequency * SpinMicroseconds / 1_000_000;

        // A side that opens a ring in use starts where the ring is (the creator zeroed both); checked like any later read.
        _head = Volatile.Read(ref Head);
        _tail = Volatile.Read(ref Tail);
        _ = Used(_head, _tail);
    }

    /// <summary>The longest spin a ring accepts (a corrupt header must not make a side poll for long).</summary>
    public const int MaxSpinMicroseconds = 10_000;

    /// <summary>Gets how long a waiter polls before it sleeps, in microseconds.</summary>
    public int SpinMicroseconds { get; }

    /// <summary>Gets the data capacity in bytes.</summary>
    public int Capacity { get; }

    /// <summary>Gets a value indicating whether the ring was closed.</summary>
    public bool IsClosed => Volatile.Read(ref *(int*)(_base + ClosedOffset)) != 0;

    /// <summary>Gets the number of bytes written and not yet read, as the header says (unchecked: for tests and diagnostics).</summary>
    public long Available => Volatile.Read(ref *(long*)(_base + HeadOffset)) - Volatile.Read(ref *(long*)(_base + TailOffset));

    private ref long Head => ref *(long*)(_base + HeadOffset);

    private ref long Tail => ref *(long*)(_base + TailOffset);

    private int* DataSeq => (int*)(_base + DataSeqOffset);

    private int* SpaceSeq => (int*)(_base + SpaceSeqOffset);

    private ref int ReaderAsleep => ref *(int*)(_base + ReaderAsleepOffset);

    private ref int WriterAsleep => ref *(int*)(_base + WriterAsleepOffset);

    /// <summary>Closes the ring: pending and future reads return what is left, then 0; writes throw. Wakes both sides.</summary>
    public void Close()
    {
        Interlocked.Exchange(ref *(int*)(_base + ClosedOffset), 1);
        Interlocked.Increment(ref *DataSeq);
        Interlocked.Increment(ref *SpaceSeq);
        Futex.Wake(DataSeq, int.MaxValue);
        Futex.Wake(SpaceSeq, int.MaxValue);
    }

    /// <summary>Writes every byte of <paramref name="source"/>, waiting for space as needed (producer side only).</summary>
    /// <exception cref="IOException">The ring is closed, before or while this write waits for space.</exception>
    /// <exception cref="InvalidDataException">The consumer's position in the header is impossible (the other process corrupted the ring).</exception>
    public void Write(ReadOnlySpan<byte> source)
    {
        while (!source.IsEmpty)
        {
            // Checked on every pass, including after a wait for space: a ring closed while full (its reader died) never
            // gets space again, and the wait returns at once once the ring is closed.
            if (IsClosed)
            {
                throw new IOException("The shared-memory channel was closed by the other side.");
            }

            var head = _head;
            var free = Capacity - Used(head, Volatile.Read(ref Tail));
            if (free == 0)
            {
                WaitForSpace();
                continue;
            }

            var count = (int)Math.Min(free, source.Length);
            var offset = (int)(head & _mask);
            var first = Math.Min(count, Capacity - offset);
            source[..first].CopyTo(new Span<byte>(_data + offset, first));
            source.Slice(first, count - first).CopyTo(new Span<byte>(_data, count - first));
            _head = head + count;
            Volatile.Write(ref Head, _head);
            Signal(DataSeq, ref ReaderAsleep);
            source = source[count..];
        }
    }

    /// <summary>Reads at least one byte into <paramref name="destination"/>, waiting for data; returns 0 once the ring is closed and empty (consumer side only).</summary>
    /// <exception cref="InvalidDataException">The producer's position in the header is impossible (the other process corrupted the ring).</exception>
    public int Read(Span<byte> destination)
    {
        if (destination.IsEmpty)
        {
            return 0;
        }

        while (true)
        {
            var tail = _tail;
            var available = Used(Volatile.Read(ref Head), tail);
            if (available == 0)
            {
                // Closed is read before Head: bytes written before the close are still delivered.
                if (IsClosed && Used(Volatile.Read(ref Head), tail) == 0)
                {
                    return 0;
                }

                WaitForData();
                continue;
            }

            var count = (int)Math.Min(available, destination.Length);
            var offset = (int)(tail & _mask);
            var first = Math.Min(count, Capacity - offset);
            new ReadOnlySpan<byte>(_data + offset, first).CopyTo(destination);
            new ReadOnlySpan<byte>(_data, count - first).CopyTo(destination[first..]);
            _tail = tail + count;
            Volatile.Write(ref Tail, _tail);
            Signal(SpaceSeq, ref WriterAsleep);
            return count;
        }
    }

    /// <summary>Waits until data is available or the ring is closed: spins briefly, then sleeps on the futex.</summary>
    /// <remarks>Any change of the producer's position ends the wait; <see cref="Read"/> then checks the new position.</remarks>
    public void WaitForData() => Wait(DataSeq, ref ReaderAsleep, static r => Volatile.Read(ref r.Head) != r._tail);

    private void WaitForSpace() => Wait(SpaceSeq, ref WriterAsleep, static r => r._head - Volatile.Read(ref r.Tail) != r.Capacity);

    /// <summary>The bytes between the two positions, checked: the other side may have written anything into the header.</summary>
    private long Used(long head, long tail)
    {
        var used = unchecked(head - tail);
        if (used < 0 || used > Capacity)
        {
            throw new InvalidDataException(
                $"Corrupt shared-memory ring: the producer's position {head} and the consumer's position {tail} are {used} bytes apart, " +
                $"outside 0..{Capacity} (the ring's capacity). The other process overwrote the ring's header; the channel cannot be used any more.");
        }

        return used;
    }

    private void Wait(int* sequence, ref int asleep, Func<SharedRing, bool> ready)
    {
        // Poll first: a reply often follows within a round trip, and a futex sleep and wake-up costs more — far more on
        // a virtual machine whose idle core has to be woken. Each poll yields the core, so a runnable thread (this
        // side's continuation, the other process) is not kept waiting by it. Then sleep, so an idle side burns nothing.
        var spinUntil = Stopwatch.GetTimestamp() + _spinTicks;
        while (true)
        {
            if (ready(this) || IsClosed)
            {
                return;
            }

            if (Stopwatch.GetTimestamp() >= spinUntil)
            {
                break;
            }

            Thread.Yield();
        }

        var seen = Volatile.Read(ref *sequence);
        Interlocked.Exchange(ref asleep, 1);
        if (!ready(this) && !IsClosed)
        {
            Futex.Wait(sequence, seen, SleepSlice);
        }

        Volatile.Write(ref asleep, 0);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Signal(int* sequence, ref int asleep)
    {
        Interlocked.Increment(ref *sequence);
        if (Volatile.Read(ref asleep) != 0)
        {
            Futex.Wake(sequence, int.MaxValue);
        }
    }
}
