namespace Concurrency.SharedMemory.Tests;

public sealed class SharedCounterTests : SharedMemoryTest
{
    [Fact]
    public void Operations_OnOneCell_BehaveLikeInterlocked()
    {
        using var cells = SharedArray<long>.Create(2);
        using var counter = new SharedCounter(cells.Handle.Slice(1, 1));

        Assert.Equal(1, counter.Increment());
        Assert.Equal(11, counter.Add(10));
        Assert.Equal(10, counter.Decrement());
        Assert.Equal(10, counter.Exchange(20));
        Assert.Equal(20, counter.CompareExchange(30, 20));
        Assert.Equal(30, counter.CompareExchange(40, 20));
        Assert.Equal(30, counter.Value);
        Assert.Equal(30, cells.AsSpan()[1]);
        Assert.Equal(0, cells.AsSpan()[0]);
    }

    [Fact]
    public void Constructor_ReadOnlyOrEmptyHandle_ThrowsArgumentException()
    {
        using var cells = SharedArray<long>.Create(1);

        Assert.Throws<ArgumentException>("cell", () => new SharedCounter(cells.Handle.AsReadOnly()));
        Assert.Throws<ArgumentException>("cell", () => new SharedCounter(cells.Handle.Slice(0, 0)));
    }

    [Fact]
    public void Increment_AfterDispose_ThrowsObjectDisposedException()
    {
        using var cells = SharedArray<long>.Create(1);
        var counter = new SharedCounter(cells.Handle);
        counter.Dispose();

        Assert.Throws<ObjectDisposedException>(() => counter.Increment());
    }

    [Fact]
    public async Task Increment_FourThreads_EndsExact()
    {
        using var cells = SharedArray<long>.Create(1);
        var tasks = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            using var counter = new SharedCounter(cells.Handle);
            for (var i = 0; i < 100_000; i++)
            {
                counter.Increment();
            }
        }));

        await Task.WhenAll(tasks).WaitAsync(TestChild.Timeout);

        Assert.Equal(400_000, cells.AsSpan()[0]);
    }

    [Fact]
    public async Task Increment_FourProcessesAndThisOne_EndsExact()
    {
        using var cells = SharedArray<long>.Create(1);
        var encoded = TestChild.Encode(cells.Handle);
        var children = Enumerable.Range(0, 4).Select(_ => StartChild("increment", encoded, "100000")).ToList();
        foreach (var child in children)
        {
            await child.ExpectAsync("READY");
        }

        foreach (var child in children)
        {
            await child.SendAsync("go");
        }

        using (var counter = new SharedCounter(cells.Handle))
        {
            for (var i = 0; i < 100_000; i++)
            {
                counter.Increment();
            }
        }

        foreach (var child in children)
        {
            await child.ExpectAsync("DONE");
            Assert.Equal(0, await child.WaitForExitAsync());
        }

        Assert.Equal(500_000, cells.AsSpan()[0]);
    }
}
