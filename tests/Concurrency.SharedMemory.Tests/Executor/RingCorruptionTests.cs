using System.Text.RegularExpressions;
using Concurrency.Processes.Tests;
using Concurrency.SharedMemory.Transport;

namespace Concurrency.SharedMemory.Tests.Executor;

/// <summary>A worker that rewrites the positions in its rings' headers: the parent notices, kills it and keeps serving.</summary>
public sealed class RingCorruptionTests : IAsyncLifetime
{
    private IWorkExecutor _pool = null!;

    public Task InitializeAsync()
    {
        _pool = SharedMemoryKind.Instance.Create(workers: 1);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _pool.DisposeAsync().Bounded();
        PoolKind.AssertNothingLeft();
    }

    [Fact]
    public async Task SubmitAsync_WorkerMovesTheHeadOfItsRingBehindTheTail_FailsTheItemAsMalformedAndReplacesTheWorker()
    {
        var (workerId, pid) = await _pool.SubmitAsync(new WhereAmI(), 0).Bounded();

        var ex = await Assert.ThrowsAsync<WorkerCrashedException>(() => _pool.SubmitAsync(new MoveRingPosition(), RingPosition.OwnHeadBehindTail).Bounded());

        Assert.Matches(
            $@"^Worker {workerId} sent a malformed message while running an item of {Regex.Escape(typeof(MoveRingPosition).FullName!)} and was killed: " +
            @"Corrupt shared-memory ring: the producer's position (\d+) and the consumer's position \d+ are -1 bytes apart, outside 0\.\.1048576 \(the ring's capacity\)\. " +
            @"The other process overwrote the ring's header; the channel cannot be used any more\. The worker was replaced\.$",
            ex.Message);
        Assert.Equal(137, ex.ExitCode);
        var (after, afterPid) = await _pool.SubmitAsync(new WhereAmI(), 0).Bounded();
        Assert.Equal(workerId + 1, after);
        Assert.NotEqual(pid, afterPid);
    }

    [Fact]
    public async Task SubmitAsync_WorkerMovesTheTailOfTheParentsRingAheadOfTheHead_TheParentWritesNothingAndANewWorkerRunsTheNextItem()
    {
        var (workerId, pid) = await _pool.SubmitAsync(new WhereAmI(), 0).Bounded();
        Assert.Equal(RingPosition.TailAheadOfHead, await _pool.SubmitAsync(new MoveRingPosition(), RingPosition.TailAheadOfHead).Bounded());

        // The next batch finds the ring's free space impossible: nothing is written, the worker is killed as a protocol
        // error, and the item, which never started, runs on its replacement.
        var (after, afterPid) = await _pool.SubmitAsync(new WhereAmI(), 0).Bounded();

        Assert.Equal(workerId + 1, after);
        Assert.NotEqual(pid, afterPid);
        Assert.Equal(2, await _pool.SubmitAsync(new AddOne(), 1).Bounded());
    }
}

/// <summary>Which position a <see cref="MoveRingPosition"/> rewrites.</summary>
public enum RingPosition
{
    /// <summary>The Head of the ring the worker writes to the parent, one byte behind its Tail; then the worker waits.</summary>
    OwnHeadBehindTail,

    /// <summary>The Tail of the ring the parent writes to the worker, one byte ahead of its Head; then the item returns.</summary>
    TailAheadOfHead,
}

/// <summary>In the worker: rewrites a position in its channel's header (found in /proc/self/maps, written through /proc/self/mem).</summary>
public sealed class MoveRingPosition : IWorkload<RingPosition, RingPosition>
{
    public RingPosition Execute(RingPosition input, WorkContext context)
    {
        var channel = OwnMemory.SharedMappings("/memfd:concurrency-channel").Single().Start;

        // The ring to the worker starts the channel, the ring to the parent follows it; Head at 0, Tail at 64 of each.
        var toParent = channel + SharedRing.HeaderSize + SharedChannelTransport.RingCapacity;
        using var memory = new OwnMemory();
        if (input == RingPosition.OwnHeadBehindTail)
        {
            memory.Write(toParent, memory.Read(toParent + 64) - 1);
            Thread.Sleep(Timeout.Infinite);
        }

        memory.Write(channel + 64, memory.Read(channel) + 1);
        return input;
    }
}
