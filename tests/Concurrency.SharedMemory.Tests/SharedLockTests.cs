namespace Concurrency.SharedMemory.Tests;

public sealed class SharedLockTests : SharedMemoryTest
{
    [Fact]
    public void EnterExit_Free_AcquiresAndRecordsThisProcess()
    {
        using var cells = SharedArray<long>.Create(1);
        using var gate = new SharedLock(cells.Handle);

        Assert.Equal(SharedLockAcquisition.Acquired, gate.Enter());
        Assert.Equal(Environment.ProcessId, gate.HolderProcessId);
        gate.Exit();
        Assert.Equal(0, gate.HolderProcessId);
        Assert.Equal(0, cells.AsSpan()[0]);
    }

    [Fact]
    public void Exit_NotHeld_ThrowsSynchronizationLockException()
    {
        using var cells = SharedArray<long>.Create(1);
        using var gate = new SharedLock(cells.Handle);

        var error = Assert.Throws<SynchronizationLockException>(gate.Exit);

        Assert.Contains("not by this process", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TryEnter_HeldByThisProcess_TimesOut()
    {
        using var cells = SharedArray<long>.Create(1);
        using var gate = new SharedLock(cells.Handle);
        gate.Enter();

        var acquired = await Task.Run(() => gate.TryEnter(TimeSpan.FromMilliseconds(20), out _)).WaitAsync(TestChild.Timeout);

        Assert.False(acquired);
        gate.Exit();
        Assert.True(gate.TryEnter(TimeSpan.Zero, out var acquisition));
        Assert.Equal(SharedLockAcquisition.Acquired, acquisition);
        gate.Exit();
    }

    [Fact]
    public async Task Enter_Canceled_ThrowsOperationCanceledException()
    {
        using var cells = SharedArray<long>.Create(1);
        using var gate = new SharedLock(cells.Handle);
        gate.Enter();
        using var cancel = new CancellationTokenSource();

        var waiting = Task.Run(() => gate.Enter(cancel.Token));
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TestChild.Timeout));
        gate.Exit();
    }

    [Fact]
    public async Task Enter_FourThreads_ExcludeEachOther()
    {
        using var cells = SharedArray<long>.Create(2);
        var tasks = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            using var gate = new SharedLock(cells.Handle);
            using var data = cells.Handle.Slice(1, 1).Open();
            var cell = data.Span;
            for (var i = 0; i < 20_000; i++)
            {
                gate.Enter();
                var value = Volatile.Read(ref cell[0]);
                Volatile.Write(ref cell[0], value + 1);
                gate.Exit();
            }
        }));

        await Task.WhenAll(tasks).WaitAsync(TestChild.Timeout);

        Assert.Equal(80_000, cells.AsSpan()[1]);
        Assert.Equal(0, cells.AsSpan()[0]);
    }

    [Fact]
    public async Task Enter_ThreeProcesses_ExcludeEachOther()
    {
        using var cells = SharedArray<long>.Create(2);
        var lockCell = TestChild.Encode(cells.Handle.Slice(0, 1));
        var dataCell = TestChild.Encode(cells.Handle.Slice(1, 1));
        var children = Enumerable.Range(0, 3).Select(_ => StartChild("lock-increment", lockCell, dataCell, "20000")).ToList();
        foreach (var child in children)
        {
            await child.ExpectAsync("READY");
        }

        foreach (var child in children)
        {
            await child.SendAsync("go");
        }

        foreach (var child in children)
        {
            await child.ExpectAsync("DONE");
            Assert.Equal(0, await child.WaitForExitAsync());
        }

        Assert.Equal(60_000, cells.AsSpan()[1]);
        Assert.Equal(0, cells.AsSpan()[0]);
    }

    [Fact]
    public async Task Enter_HolderProcessKilled_NextAcquirerIsToldPreviousOwnerDied()
    {
        using var cells = SharedArray<long>.Create(1);
        using var gate = new SharedLock(cells.Handle);
        var child = StartChild("lock-and-hang", TestChild.Encode(cells.Handle));
        Assert.Equal("Acquired", await child.ExpectAsync("LOCKED"));
        Assert.Equal(child.Id, gate.HolderProcessId);
        Assert.False(gate.TryEnter(TimeSpan.Zero, out _));

        await child.KillAsync();

        Assert.Equal(SharedLockAcquisition.PreviousOwnerDied, gate.Enter());
        Assert.Equal(Environment.ProcessId, gate.HolderProcessId);
        gate.Exit();
        Assert.Equal(SharedLockAcquisition.Acquired, gate.Enter());
        gate.Exit();
    }

    [Fact]
    public async Task Enter_WaiterAsleepWhenHolderIsKilled_WakesAndIsToldPreviousOwnerDied()
    {
        using var cells = SharedArray<long>.Create(1);
        using var gate = new SharedLock(cells.Handle);
        var child = StartChild("lock-and-hang", TestChild.Encode(cells.Handle));
        await child.ExpectAsync("LOCKED");
        using var started = new ManualResetEventSlim();

        var waiter = Task.Run(() =>
        {
            started.Set();
            return gate.Enter();
        });
        Assert.True(started.Wait(TestChild.Timeout));
        await child.KillAsync();

        Assert.Equal(SharedLockAcquisition.PreviousOwnerDied, await waiter.WaitAsync(TestChild.Timeout));
        gate.Exit();
    }

    [Fact]
    public async Task Enter_HolderProcessExitsNormally_WaiterAcquiresPlainly()
    {
        using var cells = SharedArray<long>.Create(1);
        using var gate = new SharedLock(cells.Handle);
        var child = StartChild("lock-and-hang", TestChild.Encode(cells.Handle));
        await child.ExpectAsync("LOCKED");

        var waiter = Task.Run(() => gate.Enter());
        await child.SendAsync("release");

        Assert.Equal(SharedLockAcquisition.Acquired, await waiter.WaitAsync(TestChild.Timeout));
        Assert.Equal(0, await child.WaitForExitAsync());
        gate.Exit();
    }
}
