using System.Buffers.Binary;
using System.Globalization;
using Concurrency.Processes.Worker;
using Concurrency.Testing;

namespace Concurrency.Processes.Tests;

/// <summary>
/// Workloads that scribble on whatever their own worker process can reach — the shared memory it maps (progress region,
/// shared-memory rings, shared arrays) and its pipe to the pool — with random and hostile bytes, at random offsets,
/// then return, exit or die. Whatever they do, the parent stays up, the item ends as a result or a
/// <see cref="WorkerCrashedException"/>, and the pool serves the next item.
/// </summary>
/// <remarks>Written once for every executor built on the process pool; a sealed subclass per executor says which (<see cref="PoolKind"/>).</remarks>
public abstract class HostileWorkerTests : IAsyncLifetime
{
    /// <summary>The rounds of the seeded campaigns: each seed picks where, what and how the worker ends, the same on every run.</summary>
    private const int Rounds = 40;

    private readonly PoolKind _kind;
    private IWorkExecutor _pool = null!;

    private protected HostileWorkerTests(PoolKind kind) => _kind = kind;

    public Task InitializeAsync()
    {
        _pool = _kind.Create(workers: 1, options => options.ItemTimeout = TimeSpan.FromSeconds(3));

        // A worker that stops in the middle of a frame it started (and lives) is killed after this long.
        _kind.PoolOf(_pool).FrameStallTimeout = TimeSpan.FromMilliseconds(500);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _pool.DisposeAsync().Bounded();
        PoolKind.AssertNothingLeft();
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task SubmitAsync_WorkloadScribblesOnItsProcesssSharedMemory_ParentSurvivesAndThePoolServesTheNextItem()
    {
        for (var seed = 1; seed <= Rounds; seed++)
        {
            await RunRoundAsync(new ScribbleOnSharedMemory(), seed);
        }
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task SubmitAsync_WorkloadWritesRandomBytesToItsPipe_ParentSurvivesAndThePoolServesTheNextItem()
    {
        for (var seed = 1; seed <= Rounds; seed++)
        {
            await RunRoundAsync(new ScribbleOnPipe(), seed);
        }
    }

    [Fact]
    public async Task SubmitAsync_WorkerAnnouncesAOneGibibyteFrameAndDies_ParentAllocatesLittle()
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);

        var ex = await Assert.ThrowsAsync<WorkerCrashedException>(() => _pool.SubmitAsync(new CorruptProtocolThenExit(), [0, 0, 0, 0x40, 12, 1, 2, 3]).Bounded());

        Assert.Contains("Truncated message", ex.Message, StringComparison.Ordinal);
        Assert.InRange(GC.GetTotalAllocatedBytes(precise: true) - before, 0, 64L << 20);
        Assert.Equal(2, await _pool.SubmitAsync(new AddOne(), 1).Bounded());
    }

    [Fact]
    public async Task SubmitAsync_WorkerMovesItsItemsStartTimeIntoTheFutureThenHangs_TheItemStillTimesOut()
    {
        var ex = await Assert.ThrowsAsync<WorkTimeoutException>(() => _pool.SubmitAsync(new ForgeProgressThenHang(), ForgeProgressThenHang.StartInTheFuture).Bounded());

        Assert.Contains(typeof(ForgeProgressThenHang).FullName!, ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, await _pool.SubmitAsync(new AddOne(), 1).Bounded());
    }

    [Fact]
    public async Task SubmitAsync_WorkerMarksItsRunningItemDoneThenHangs_TheItemStillTimesOut()
    {
        var ex = await Assert.ThrowsAsync<WorkTimeoutException>(() => _pool.SubmitAsync(new ForgeProgressThenHang(), ForgeProgressThenHang.MarkDone).Bounded());

        Assert.Contains(typeof(ForgeProgressThenHang).FullName!, ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, await _pool.SubmitAsync(new AddOne(), 1).Bounded());
    }

    /// <summary>Runs one hostile item, which must end as its result, a crash of its worker or its timeout; then a plain item, which must succeed.</summary>
    private async Task RunRoundAsync(IWorkload<int, int> workload, int seed)
    {
        try
        {
            Assert.Equal(seed, await _pool.SubmitAsync(workload, seed).WaitAsync(TestSupport.Timeout).ConfigureAwait(false));
        }
        catch (WorkerCrashedException ex)
        {
            Assert.Contains(workload.GetType().FullName!, ex.Message, StringComparison.Ordinal);
        }
        catch (WorkTimeoutException ex)
        {
            // A start time rewritten to an impossible value reads as the clock's origin: the item times out.
            Assert.Contains(workload.GetType().FullName!, ex.Message, StringComparison.Ordinal);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"Round {seed} of {workload.GetType().Name} never ended.");
        }

        // Whatever the round did, the parent is here, and the pool (on a replacement worker if need be) serves.
        Assert.Equal(seed + 1, await _pool.SubmitAsync(new AddOne(), seed).Bounded());
    }
}

/// <summary>How a hostile workload ends after its damage, picked by its seed.</summary>
internal static class HostileEnding
{
    /// <summary>Returns the seed (the worker goes on serving), exits with code 3, or kills its own process (SIGKILL), as the seed says.</summary>
    /// <remarks>
    /// Not "hangs after the damage": each such round would last the item timeout; the hanging case is tested on its own
    /// (a worker that forges its progress slot, then hangs, is still timed out).
    /// </remarks>
    public static int End(Random random, int seed)
    {
        switch (random.Next(3))
        {
            case 0:
                Environment.Exit(3);
                break;
            case 1:
                System.Diagnostics.Process.GetCurrentProcess().Kill();
                break;
        }

        return seed;
    }
}

/// <summary>
/// In the worker: writes random and hostile bytes at random offsets of every shared mapping of this library that the
/// worker process has (the progress region, on shared memory also its rings and the shared arrays it keeps mapped), found in
/// /proc/self/maps and written through /proc/self/mem; then ends as the seed says.
/// </summary>
public sealed class ScribbleOnSharedMemory : IWorkload<int, int>
{
    public int Execute(int input, WorkContext context)
    {
        var random = new Random(input);
        var mappings = OwnMemory.SharedMappings("concurrency-");
        if (mappings.Count == 0)
        {
            throw new InvalidOperationException("The worker maps no shared memory of the library.");
        }

        using var memory = new OwnMemory();
        var writes = random.Next(1, 6);
        for (var i = 0; i < writes; i++)
        {
            var (start, length) = mappings[random.Next(mappings.Count)];

            // Headers first (each ring's positions and flags, the progress slots): where hostile values hurt most.
            var offset = random.Next(3) switch
            {
                0 => random.Next(0, (int)Math.Min(length, 256)) & ~7,
                1 => ((length / 2) + random.Next(0, 256)) & ~7L,
                _ => random.NextInt64(0, length - 8) & ~7L,
            };
            var current = memory.Read(start + offset);
            var value = random.Next(5) switch
            {
                0 => random.NextInt64(long.MinValue, long.MaxValue),
                1 => current - random.Next(1, 1 << 21), // a position moved back (Head behind Tail)
                2 => current + random.Next(1, 1 << 21), // a position moved ahead
                3 => new[] { long.MaxValue, long.MinValue, -1L, 0L, int.MaxValue, 1L << 40 }[random.Next(6)],
                _ => current ^ (1L << random.Next(64)),
            };
            memory.Write(start + offset, value);
        }

        return HostileEnding.End(random, input);
    }
}

/// <summary>In the worker: writes a random frame-shaped or random run of bytes to its channel to the pool, then ends as the seed says.</summary>
public sealed class ScribbleOnPipe : IWorkload<int, int>
{
    public int Execute(int input, WorkContext context)
    {
        var random = new Random(input);
        var bytes = new byte[random.Next(1, 64)];
        random.NextBytes(bytes);
        if (bytes.Length >= 4)
        {
            // The length prefix stays small: a huge one is the case of its own test.
            BinaryPrimitives.WriteInt32LittleEndian(bytes, random.Next(0, 1 << 16));
        }

        if (bytes.Length >= 5 && random.Next(2) == 0)
        {
            bytes[4] = (byte)random.Next(0, 16); // a known frame type, followed by garbage
        }

        WorkerHost.Current!.WriteRawForTesting(bytes);
        return HostileEnding.End(random, input);
    }
}

/// <summary>Writes its input raw to the pool, then exits with code 3.</summary>
public sealed class CorruptProtocolThenExit : IWorkload<byte[], int>
{
    public int Execute(byte[] input, WorkContext context)
    {
        WorkerHost.Current!.WriteRawForTesting(input);
        Environment.Exit(3);
        return 0;
    }
}

/// <summary>In the worker: rewrites its progress slot (the item's done bit, or its start time), then hangs.</summary>
public sealed class ForgeProgressThenHang : IWorkload<int, int>
{
    /// <summary>Sets the done bit of the running item: the pool must not take the item for finished.</summary>
    public const int MarkDone = 0;

    /// <summary>Sets the item's start time to the largest value: the pool must not take the item for just started.</summary>
    public const int StartInTheFuture = 1;

    public int Execute(int input, WorkContext context)
    {
        var slot = OwnMemory.SharedMappings("/memfd:concurrency-progress").First().Start;
        using var memory = new OwnMemory();
        if (input == MarkDone)
        {
            memory.Write(slot, memory.Read(slot) | 1);
        }
        else
        {
            memory.Write(slot + 8, long.MaxValue);
        }

        Thread.Sleep(Timeout.Infinite);
        return input;
    }
}

/// <summary>The worker's own memory, as a hostile workload reaches it: its shared mappings (from /proc/self/maps) and any address (through /proc/self/mem, which writes past page protections).</summary>
public sealed class OwnMemory : IDisposable
{
    private readonly Microsoft.Win32.SafeHandles.SafeFileHandle _memory = File.OpenHandle("/proc/self/mem", FileMode.Open, FileAccess.ReadWrite);

    /// <summary>Gets the writable shared mappings of the library in this process (name containing <paramref name="name"/>): start address and length.</summary>
    public static List<(long Start, long Length)> SharedMappings(string name) =>
        File.ReadLines("/proc/self/maps")
            .Select(line => line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length == 6 && f[1] == "rw-s" && f[5].Contains(name, StringComparison.Ordinal))
            .Select(f => f[0].Split('-').Select(a => long.Parse(a, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray())
            .Select(a => (a[0], a[1] - a[0]))
            .ToList();

    public long Read(long address)
    {
        Span<byte> word = stackalloc byte[8];
        RandomAccess.Read(_memory, word, address);
        return BinaryPrimitives.ReadInt64LittleEndian(word);
    }

    public void Write(long address, long value)
    {
        Span<byte> word = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(word, value);
        RandomAccess.Write(_memory, word, address);
    }

    public void Dispose() => _memory.Dispose();
}
