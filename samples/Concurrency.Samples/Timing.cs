using System.Diagnostics;

namespace Concurrency.Samples;

/// <summary>Times a run the way the sample reports it: one warm-up run (JIT, thread start-up), then the median of a few timed runs.</summary>
internal static class Timing
{
    public const int TimedRuns = 3;

    public static async Task<(T Result, TimeSpan Median)> MeasureAsync<T>(Func<Task<T>> run)
    {
        var result = await run();
        var times = new TimeSpan[TimedRuns];
        for (var i = 0; i < TimedRuns; i++)
        {
            var started = Stopwatch.GetTimestamp();
            result = await run();
            times[i] = Stopwatch.GetElapsedTime(started);
        }

        Array.Sort(times);
        return (result, times[TimedRuns / 2]);
    }

    public static Task<(T Result, TimeSpan Median)> Measure<T>(Func<T> run) => MeasureAsync(() => Task.FromResult(run()));
}
