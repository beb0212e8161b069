using System.Diagnostics;
using Concurrency.Internal;

namespace Concurrency.Core.Tests.Internal;

public sealed class BatchSizerTests
{
    private static readonly TimeSpan Target = TimeSpan.FromMilliseconds(1);

    private static long TargetTicks => (long)(Target.TotalSeconds * Stopwatch.Frequency);

    [Fact]
    public void Next_FixedBatchSize_AlwaysReturnsIt()
    {
        var sizer = new BatchSizer(new MapOptions { BatchSize = 10 }, new FakeDispatcher(2, Target), maxInFlight: 1000, knownCount: null);

        Assert.Equal(10, sizer.Next());
        sizer.Observe(Measured(count: 1, ticks: 1));
        Assert.Equal(10, sizer.Next());
    }

    [Fact]
    public void Next_FixedBatchSizeAboveMaxInFlight_IsCappedByMaxInFlight()
    {
        var sizer = new BatchSizer(new MapOptions { BatchSize = 500 }, new FakeDispatcher(2, Target), maxInFlight: 100, knownCount: null);

        Assert.Equal(100, sizer.Next());
    }

    [Fact]
    public void Next_BeforeAnyMeasurement_IsOne()
    {
        var sizer = new BatchSizer(MapOptions.Default, new FakeDispatcher(2, Target), maxInFlight: int.MaxValue / 2, knownCount: null);

        Assert.Equal(1, sizer.Next());
        Assert.Equal(1, sizer.Next());
    }

    [Fact]
    public void Next_VeryFastItems_GrowsAtMostFourfoldPerStepUpToTheCap()
    {
        var sizer = new BatchSizer(MapOptions.Default, new FakeDispatcher(2, Target), maxInFlight: int.MaxValue / 2, knownCount: null);
        Assert.Equal(1, sizer.Next());

        var sizes = new List<int>();
        for (var i = 0; i < 8; i++)
        {
            sizer.Observe(Measured(count: 1, ticks: 1));
            sizes.Add(sizer.Next());
        }

        Assert.Equal([4, 16, 64, 256, 1024, 4096, 4096, 4096], sizes);
        Assert.Equal(BatchSizer.MaxAutomaticBatchSize, sizes[^1]);
    }

    [Fact]
    public void Next_ZeroMeasuredTicks_StillGrowsAtMostFourfold()
    {
        var sizer = new BatchSizer(MapOptions.Default, new FakeDispatcher(2, Target), maxInFlight: int.MaxValue / 2, knownCount: null);

        sizer.Observe(Measured(count: 10, ticks: 0));

        Assert.Equal(4, sizer.Next());
    }

    [Fact]
    public void Next_ItemsSlowerThanTarget_StaysAtOne()
    {
        var sizer = new BatchSizer(MapOptions.Default, new FakeDispatcher(2, Target), maxInFlight: int.MaxValue / 2, knownCount: null);

        sizer.Observe(Measured(count: 1, ticks: TargetTicks * 10));

        Assert.Equal(1, sizer.Next());
    }

    [Fact]
    public void Next_ItemsOfAbout1Over10Point5OfTarget_ConvergesToTen()
    {
        var sizer = new BatchSizer(MapOptions.Default, new FakeDispatcher(2, Target), maxInFlight: int.MaxValue / 2, knownCount: null);

        var sizes = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            // 10.5 items fill the target: the size is 10, clear of rounding.
            sizer.Observe(Measured(count: 21, ticks: 2 * TargetTicks));
            sizes.Add(sizer.Next());
        }

        Assert.Equal([4, 10, 10, 10], sizes);
    }

    [Fact]
    public void Next_KnownCount_CapsAtFourBatchesPerWorker()
    {
        // 80 items over 2 workers: at most 80 / (4 * 2) = 10 per batch.
        var sizer = new BatchSizer(MapOptions.Default, new FakeDispatcher(2, Target), maxInFlight: int.MaxValue / 2, knownCount: 80);

        var last = 0;
        for (var i = 0; i < 6; i++)
        {
            sizer.Observe(Measured(count: 1, ticks: 1));
            last = sizer.Next();
            Assert.InRange(last, 1, 10);
        }

        Assert.Equal(10, last);
    }

    [Fact]
    public void Next_MaxInFlight_CapsAtTwoBatchesPerWorker()
    {
        // 40 in flight over 2 workers: at most 40 / (2 * 2) = 10 per batch.
        var sizer = new BatchSizer(new MapOptions { MaxInFlight = 40 }, new FakeDispatcher(2, Target), maxInFlight: 40, knownCount: null);

        var last = 0;
        for (var i = 0; i < 6; i++)
        {
            sizer.Observe(Measured(count: 1, ticks: 1));
            last = sizer.Next();
            Assert.InRange(last, 1, 10);
        }

        Assert.Equal(10, last);
    }

    [Fact]
    public void Next_TinyKnownCount_NeverBelowOne()
    {
        var sizer = new BatchSizer(MapOptions.Default, new FakeDispatcher(8, Target), maxInFlight: 1, knownCount: 3);

        sizer.Observe(Measured(count: 1, ticks: 1));

        Assert.Equal(1, sizer.Next());
    }

    [Fact]
    public void Observe_BatchThatRanNothing_IsIgnored()
    {
        var sizer = new BatchSizer(MapOptions.Default, new FakeDispatcher(2, Target), maxInFlight: int.MaxValue / 2, knownCount: null);

        sizer.Observe(Measured(count: 0, ticks: 0));

        Assert.Equal(1, sizer.Next());
    }

    private static WorkBatch<int, int> Measured(int count, long ticks) =>
        new(new Identity(), new int[Math.Max(1, count)], CancellationToken.None) { ExecutedCount = count, ExecutionTicks = ticks };
}
