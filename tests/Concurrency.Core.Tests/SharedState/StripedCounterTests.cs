namespace Concurrency.Core.Tests.SharedState;

public sealed class StripedCounterTests
{
    [Fact]
    public void Value_New_IsZero()
    {
        Assert.Equal(0, new StripedCounter().Value);
    }

    [Fact]
    public void IncrementDecrementAdd_OneThread_SumExactly()
    {
        var counter = new StripedCounter();

        counter.Increment();
        counter.Increment();
        counter.Decrement();
        counter.Add(100);
        counter.Add(-30);

        Assert.Equal(71, counter.Value);
    }

    [Fact]
    public async Task Value_WritesFromThreadsOnEveryCore_SumsAllCells()
    {
        var counter = new StripedCounter();

        // Writers spread over the cores (and so over cells); each adds a distinct amount.
        var writers = Enumerable.Range(1, 4 * Environment.ProcessorCount)
            .Select(n => Task.Run(() => counter.Add(n)))
            .ToArray();
        await Task.WhenAll(writers).WaitAsync(Hammer.Timeout);

        var n = 4 * Environment.ProcessorCount;
        Assert.Equal((long)n * (n + 1) / 2, counter.Value);
    }

    [Fact]
    public void Reset_Always_ReturnsSumAndZeroes()
    {
        var counter = new StripedCounter();
        counter.Add(42);

        Assert.Equal(42, counter.Reset());
        Assert.Equal(0, counter.Value);
        Assert.Equal(0, counter.Reset());
    }

    [Fact]
    public void ToString_Always_IsInvariantValue()
    {
        var counter = new StripedCounter();
        counter.Add(-17);

        Assert.Equal("-17", counter.ToString());
    }
}
