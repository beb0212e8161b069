namespace Concurrency.Core.Tests.SharedState;

public sealed class GuardedTests
{
    [Fact]
    public void Use_Action_RunsOnTheValue()
    {
        var guarded = new Guarded<List<int>>([1]);

        guarded.Use(list => list.Add(2));

        Assert.Equal([1, 2], guarded.Use(list => list.ToArray()));
    }

    [Fact]
    public void Use_WithState_PassesStateAndReturnsResult()
    {
        var guarded = new Guarded<int>(40);

        var result = guarded.Use(2, static (value, state) => value + state);

        Assert.Equal(42, result);
    }

    [Fact]
    public void Update_Func_StoresAndReturnsNewValue()
    {
        var guarded = new Guarded<int>(1);

        var updated = guarded.Update(v => v * 10);

        Assert.Equal(10, updated);
        Assert.Equal(10, guarded.Use(v => v));
    }

    [Fact]
    public void Update_WithState_StoresAndReturnsNewValue()
    {
        var guarded = new Guarded<string>("a");

        var updated = guarded.Update("b", static (value, state) => value + state);

        Assert.Equal("ab", updated);
        Assert.Equal("ab", guarded.Use(v => v));
    }

    [Fact]
    public void Exchange_Always_ReturnsPreviousAndStoresNew()
    {
        var guarded = new Guarded<string>("old");

        var previous = guarded.Exchange("new");

        Assert.Equal("old", previous);
        Assert.Equal("new", guarded.Use(v => v));
    }

    [Fact]
    public async Task Update_CallbackThrows_KeepsOldValueAndReleasesLock()
    {
        var guarded = new Guarded<int>(7);

        Assert.Throws<InvalidOperationException>(() => guarded.Update(_ => throw new InvalidOperationException()));

        // The lock was released: another thread can take it.
        var seen = await Task.Run(() => guarded.Use(v => v)).WaitAsync(Hammer.Timeout);
        Assert.Equal(7, seen);
    }

    [Fact]
    public void Use_CalledFromInsideCallback_IsReentrant()
    {
        var guarded = new Guarded<List<int>>([]);

        guarded.Use(outer =>
        {
            outer.Add(1);
            guarded.Use(inner => inner.Add(2));
            guarded.Update(list => [.. list, 3]);
        });

        Assert.Equal([1, 2, 3], guarded.Use(list => list.ToArray()));
    }

    [Fact]
    public async Task Use_WhileAnotherThreadHoldsTheLock_WaitsForIt()
    {
        var guarded = new Guarded<List<string>>([]);
        using var inside = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();

        var holder = Task.Factory.StartNew(
            () => guarded.Use(list =>
            {
                inside.Set();
                Assert.True(release.Wait(Hammer.Timeout));
                list.Add("holder");
            }),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        Assert.True(inside.Wait(Hammer.Timeout));

        var contender = Task.Factory.StartNew(() => guarded.Use(list => list.Add("contender")), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        release.Set();
        await Task.WhenAll(holder, contender).WaitAsync(Hammer.Timeout);

        // The contender could only add after the holder left the lock.
        Assert.Equal(["holder", "contender"], guarded.Use(list => list.ToArray()));
    }

    [Fact]
    public void Members_NullCallback_ThrowArgumentNullException()
    {
        var guarded = new Guarded<int>(0);

        Assert.Equal("action", Assert.Throws<ArgumentNullException>(() => guarded.Use((Action<int>)null!)).ParamName);
        Assert.Equal("func", Assert.Throws<ArgumentNullException>(() => guarded.Use((Func<int, int>)null!)).ParamName);
        Assert.Equal("func", Assert.Throws<ArgumentNullException>(() => guarded.Use(1, (Func<int, int, int>)null!)).ParamName);
        Assert.Equal("update", Assert.Throws<ArgumentNullException>(() => guarded.Update(null!)).ParamName);
        Assert.Equal("update", Assert.Throws<ArgumentNullException>(() => guarded.Update(1, (Func<int, int, int>)null!)).ParamName);
    }
}
