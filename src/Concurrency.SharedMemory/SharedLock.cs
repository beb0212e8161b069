using System.Diagnostics;
using Concurrency.SharedMemory.Internal;

namespace Concurrency.SharedMemory;

/// <summary>
/// A lock in shared memory that excludes threads and processes alike, and recovers when its holder dies while
/// holding it: the next acquirer takes it over and is told so (<see cref="SharedLockAcquisition.PreviousOwnerDied"/>),
/// as with a robust mutex.
/// </summary>
/// <remarks>
/// <para>
/// The lock word is the first element of a <see cref="SharedArray{T}"/> of <see cref="long"/> (a one-element slice is
/// enough); each process creates its own <see cref="SharedLock"/> over the same handle. Named <see cref="Mutex"/> and
/// <see cref="Semaphore"/> are not used: they are unsupported or give no exclusion on some .NET runtimes on Linux.
/// </para>
/// <para>
/// Layout of the 64-bit word: bits 0–30 the holder's process id (0: free), bit 31 "there may be sleepers", bits
/// 32–63 the low 32 bits of the holder's start time, so that a recycled process id is not mistaken for the holder.
/// A waiter spins briefly, then sleeps on a futex on the word's low half (Linux x64/arm64; elsewhere it sleeps and
/// polls), waking at least every 50 ms to check whether the holder still lives: no waiter burns a core.
/// </para>
/// <para>
/// Ownership is per process: the lock is not re-entrant (a thread that enters twice waits forever), and
/// <see cref="Exit"/> must be called by the process that entered. Processes must share a pid namespace.
/// </para>
/// </remarks>
[DebuggerDisplay("SharedLock, holder pid {HolderProcessId}")]
public sealed unsafe class SharedLock : IDisposable
{
    private const long PidMask = 0x7FFF_FFFF;
    private const long SleepersFlag = 0x8000_0000;
    private const long IdentityMask = ~SleepersFlag;
    private static readonly TimeSpan MaxSleep = TimeSpan.FromMilliseconds(50);

    private readonly SharedArrayView<long> _view;
    private readonly long* _word;
    private readonly long _mine;

    /// <summary>Initializes a new instance of the <see cref="SharedLock"/> class over the first element of <paramref name="cell"/>.</summary>
    /// <param name="cell">A writable handle whose first element is the lock word; zero (as a new array is) means free.</param>
    /// <exception cref="ArgumentException"><paramref name="cell"/> is read-only or empty.</exception>
    /// <exception cref="ObjectDisposedException">The array behind <paramref name="cell"/> has been disposed.</exception>
    public SharedLock(SharedArrayHandle<long> cell)
    {
        _view = SharedCounter.OpenCell(cell, nameof(SharedLock));
        _word = _view.Pointer;
        _mine = (ProcessIdentity.CurrentStartTime << 32) | (ProcessIdentity.CurrentId & PidMask);
    }

    /// <summary>Gets the process id of the current holder, or 0 when the lock is free (a snapshot, for diagnostics).</summary>
    public int HolderProcessId => (int)(Volatile.Read(ref *Word) & PidMask);

    private long* Word
    {
        get
        {
            ObjectDisposedException.ThrowIf(_view.IsDisposed, this);
            return _word;
        }
    }

    /// <summary>Waits until the lock is acquired.</summary>
    /// <param name="cancellationToken">Stops waiting; observed at least every 50 ms.</param>
    /// <returns>How the lock was acquired: check for <see cref="SharedLockAcquisition.PreviousOwnerDied"/> to repair the protected state.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled before the lock was acquired.</exception>
    /// <exception cref="ObjectDisposedException">This instance has been disposed.</exception>
    public SharedLockAcquisition Enter(CancellationToken cancellationToken = default)
    {
        TryEnterCore(null, cancellationToken, out var acquisition);
        return acquisition;
    }

    /// <summary>Tries to acquire the lock within <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long to wait; <see cref="TimeSpan.Zero"/> to try once.</param>
    /// <param name="acquisition">When the lock was acquired, how (see <see cref="Enter"/>).</param>
    /// <returns><see langword="true"/> when the lock was acquired.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative.</exception>
    /// <exception cref="ObjectDisposedException">This instance has been disposed.</exception>
    public bool TryEnter(TimeSpan timeout, out SharedLockAcquisition acquisition)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        return TryEnterCore(Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency), CancellationToken.None, out acquisition);
    }

    /// <summary>Releases the lock and wakes one waiter.</summary>
    /// <exception cref="SynchronizationLockException">The lock is not held by this process.</exception>
    /// <exception cref="ObjectDisposedException">This instance has been disposed.</exception>
    public void Exit()
    {
        var word = Word;
        var current = Volatile.Read(ref *word);
        if ((current & IdentityMask) != _mine)
        {
            throw new SynchronizationLockException(
                $"The shared lock is held by process {current & PidMask}, not by this process ({ProcessIdentity.CurrentId}); only the process that entered it can exit it.");
        }

        var previous = Interlocked.Exchange(ref *word, 0);
        if ((previous & SleepersFlag) != 0 && Futex.IsSupported)
        {
            Futex.Wake((int*)word, 1);
        }
    }

    /// <summary>Releases this process's view of the lock word; does not release the lock. Idempotent.</summary>
    public void Dispose() => _view.Dispose();

    private bool TryEnterCore(long? deadline, CancellationToken cancellationToken, out SharedLockAcquisition acquisition)
    {
        var word = Word;
        acquisition = SharedLockAcquisition.Acquired;
        if (Interlocked.CompareExchange(ref *word, _mine, 0) == 0)
        {
            return true;
        }

        // Spin briefly: a holder usually lets go within microseconds.
        var spinner = default(SpinWait);
        for (var i = 0; i < 20; i++)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
            if (Volatile.Read(ref *word) == 0 && Interlocked.CompareExchange(ref *word, _mine, 0) == 0)
            {
                return true;
            }
        }

        var sleep = TimeSpan.FromMilliseconds(1);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var current = Volatile.Read(ref *word);
            if (current == 0)
            {
                // Taken after a wait: keep the sleepers flag, others may still sleep on the word.
                if (Interlocked.CompareExchange(ref *word, _mine | SleepersFlag, 0) == 0)
                {
                    return true;
                }

                continue;
            }

            var holderPid = (int)(current & PidMask);
            if (!ProcessIdentity.IsAlive(holderPid, current >>> 32, 0xFFFF_FFFF))
            {
                if (Interlocked.CompareExchange(ref *word, _mine | SleepersFlag, current) == current)
                {
                    acquisition = SharedLockAcquisition.PreviousOwnerDied;
                    return true;
                }

                continue;
            }

            if ((current & SleepersFlag) == 0
                && Interlocked.CompareExchange(ref *word, current | SleepersFlag, current) != current)
            {
                continue;
            }

            var wait = sleep;
            if (deadline is { } end)
            {
                var remaining = end - Stopwatch.GetTimestamp();
                if (remaining <= 0)
                {
                    return false;
                }

                wait = TimeSpan.FromSeconds(Math.Min(wait.TotalSeconds, (double)remaining / Stopwatch.Frequency));
            }

            if (Futex.IsSupported)
            {
                Futex.Wait((int*)word, (int)(current | SleepersFlag), wait);
            }
            else
            {
                Thread.Sleep(wait);
            }

            sleep = TimeSpan.FromTicks(Math.Min(sleep.Ticks * 2, MaxSleep.Ticks));
        }
    }
}
