namespace Concurrency.Core.Tests;

public sealed class MapOptionsTests
{
    [Fact]
    public void Defaults_New_AreOrderedAndAutomatic()
    {
        var options = new MapOptions();

        Assert.True(options.Ordered);
        Assert.Null(options.BatchSize);
        Assert.Null(options.MaxInFlight);
    }

    [Fact]
    public void Default_Shared_HasDefaultValues()
    {
        Assert.True(MapOptions.Default.Ordered);
        Assert.Null(MapOptions.Default.BatchSize);
        Assert.Null(MapOptions.Default.MaxInFlight);
    }

    [Fact]
    public void Init_ValidValues_AreKept()
    {
        var options = new MapOptions { Ordered = false, BatchSize = 1, MaxInFlight = 7 };

        Assert.False(options.Ordered);
        Assert.Equal(1, options.BatchSize);
        Assert.Equal(7, options.MaxInFlight);
    }

    [Fact]
    public void Init_NullValues_AreKept()
    {
        var options = new MapOptions { BatchSize = null, MaxInFlight = null };

        Assert.Null(options.BatchSize);
        Assert.Null(options.MaxInFlight);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void BatchSize_ZeroOrNegative_ThrowsArgumentOutOfRangeException(int value)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new MapOptions { BatchSize = value });

        Assert.Equal("BatchSize", ex.ParamName);
        Assert.Equal(value, ex.ActualValue);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void MaxInFlight_ZeroOrNegative_ThrowsArgumentOutOfRangeException(int value)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new MapOptions { MaxInFlight = value });

        Assert.Equal("MaxInFlight", ex.ParamName);
        Assert.Equal(value, ex.ActualValue);
    }
}
