namespace Concurrency.Core.Tests;

public sealed class WorkExecutorOptionsTests
{
    [Fact]
    public void Defaults_New_AreDocumentedValues()
    {
        var options = new TestOptions();

        Assert.Null(options.Name);
        Assert.Null(options.MaxConcurrency);
        Assert.Equal(1024, options.QueueCapacity);
        Assert.Equal(TimeSpan.FromSeconds(30), options.ShutdownTimeout);
        Assert.Equal(Environment.ProcessorCount, options.EffectiveMaxConcurrency);
    }

    [Fact]
    public void EffectiveMaxConcurrency_Set_IsTheSetValue()
    {
        Assert.Equal(3, new TestOptions { MaxConcurrency = 3 }.EffectiveMaxConcurrency);
    }

    [Fact]
    public void Validate_Defaults_AddsNoError()
    {
        var errors = new List<string>();

        new TestOptions().Validate(errors);

        Assert.Empty(errors);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    public void Validate_MaxConcurrencyNotPositive_SaysWhatToFix(int value)
    {
        var errors = new List<string>();

        new TestOptions { MaxConcurrency = value }.Validate(errors);

        Assert.Equal([$"TestOptions.MaxConcurrency must be greater than 0, got {value}. Leave it unset to use the processor count ({Environment.ProcessorCount})."], errors);
    }

    [Fact]
    public void Validate_QueueCapacityZero_SaysWhatToFix()
    {
        var errors = new List<string>();

        new TestOptions { QueueCapacity = 0 }.Validate(errors);

        Assert.Equal(["TestOptions.QueueCapacity must be greater than 0, got 0."], errors);
    }

    [Fact]
    public void Validate_NegativeShutdownTimeout_SaysWhatToFix()
    {
        var errors = new List<string>();

        new TestOptions { ShutdownTimeout = TimeSpan.FromSeconds(-1) }.Validate(errors);

        Assert.Equal(["TestOptions.ShutdownTimeout must be zero or positive (or Timeout.InfiniteTimeSpan), got -00:00:01."], errors);
    }

    [Fact]
    public void Validate_ShutdownTimeoutBeyondTimerLimit_SaysWhatToFix()
    {
        var errors = new List<string>();

        new TestOptions { ShutdownTimeout = TimeSpan.MaxValue }.Validate(errors);

        Assert.Equal([$"TestOptions.ShutdownTimeout must be at most 49.17:02:47.2940000 (the longest timer .NET supports), got {TimeSpan.MaxValue}. Use Timeout.InfiniteTimeSpan to wait without limit."], errors);
    }

    [Fact]
    public void Validate_ShutdownTimeoutAtTimerLimit_IsAccepted()
    {
        var errors = new List<string>();
        var limit = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

        new TestOptions { ShutdownTimeout = limit }.Validate(errors);

        Assert.Empty(errors);
        _ = Task.CompletedTask.WaitAsync(limit); // The runtime accepts it.
    }

    [Fact]
    public void Validate_InfiniteOrZeroShutdownTimeout_IsAccepted()
    {
        var errors = new List<string>();

        new TestOptions { ShutdownTimeout = Timeout.InfiniteTimeSpan }.Validate(errors);
        new TestOptions { ShutdownTimeout = TimeSpan.Zero }.Validate(errors);

        Assert.Empty(errors);
    }

    [Fact]
    public void ThrowIfInvalid_SeveralErrors_ThrowsArgumentExceptionListingAll()
    {
        var options = new TestOptions { MaxConcurrency = 0, QueueCapacity = -1 };

        var ex = Assert.Throws<ArgumentException>(options.ThrowIfInvalid);

        Assert.Equal("options", ex.ParamName);
        Assert.Equal(
            $"TestOptions.MaxConcurrency must be greater than 0, got 0. Leave it unset to use the processor count ({Environment.ProcessorCount}). TestOptions.QueueCapacity must be greater than 0, got -1. (Parameter 'options')",
            ex.Message);
    }

    [Fact]
    public void ThrowIfInvalid_Valid_DoesNotThrow()
    {
        new TestOptions { MaxConcurrency = 1, QueueCapacity = 1, ShutdownTimeout = TimeSpan.Zero }.ThrowIfInvalid();
    }

    internal sealed class TestOptions : WorkExecutorOptions
    {
    }
}
