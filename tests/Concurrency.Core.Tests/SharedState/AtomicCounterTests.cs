namespace Concurrency.Core.Tests.SharedState;

public sealed class AtomicCounterTests
{
    [Fact]
    public void Constructor_WithInitialValue_StartsThere()
    {
        Assert.Equal(0, new AtomicCounter().Value);
        Assert.Equal(-5, new AtomicCounter(-5).Value);
    }

    [Fact]
    public void IncrementDecrementAdd_Always_ReturnNewValue()
    {
        var counter = new AtomicCounter(10);

        Assert.Equal(11, counter.Increment());
        Assert.Equal(10, counter.Decrement());
        Assert.Equal(3, counter.Add(-7));
        Assert.Equal(3, counter.Value);
    }

    [Fact]
    public void Exchange_Always_ReturnsPrevious()
    {
        var counter = new AtomicCounter(4);

        Assert.Equal(4, counter.Exchange(9));
        Assert.Equal(9, counter.Value);
    }

    [Fact]
    public void CompareExchange_ComparandMatches_SetsAndReturnsComparand()
    {
        var counter = new AtomicCounter(4);

        Assert.Equal(4, counter.CompareExchange(8, 4));
        Assert.Equal(8, counter.Value);
    }

    [Fact]
    public void CompareExchange_ComparandDiffers_LeavesValueAndReturnsIt()
    {
        var counter = new AtomicCounter(4);

        Assert.Equal(4, counter.CompareExchange(8, 5));
        Assert.Equal(4, counter.Value);
    }

    [Fact]
    public void Reset_Always_ReturnsPreviousAndZeroes()
    {
        var counter = new AtomicCounter(12);

        Assert.Equal(12, counter.Reset());
        Assert.Equal(0, counter.Value);
    }

    [Fact]
    public void Add_PastMaxValue_WrapsAround()
    {
        var counter = new AtomicCounter(long.MaxValue);

        Assert.Equal(long.MinValue, counter.Increment());
    }

    [Fact]
    public void ToString_Always_IsInvariantValue()
    {
        Assert.Equal("-1234567", new AtomicCounter(-1234567).ToString());
    }
}
