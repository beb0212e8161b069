using System.Diagnostics;

namespace Concurrency.Samples;

/// <summary>
/// Several threads add one to a shared counter: unguarded, <c>counter += 1</c> is a read, an add and a write,
/// and two threads that read the same value both write value + 1, so one update is lost. Each helper of the
/// library makes the update atomic, and loses none.
/// </summary>
/// <remarks>The threads are plain threads of this process: shared state in memory is what the helpers guard.</remarks>
internal static class RaceDemo
{
    public static void Run(int threads, int incrementsPerThread, TextWriter output)
    {
        var expected = (long)threads * incrementsPerThread;
        output.WriteLine($"race: {threads} threads x {incrementsPerThread:N0} increments each, expected total {expected:N0}");
        output.WriteLine();
        output.WriteLine($"{"counter",-44} {"actual",14} {"lost",12} {"time",10}");

        var unguardedLost = Report(output, "unguarded: counter += 1", expected, threads, incrementsPerThread, static () =>
        {
            var counter = new Box();
            return (() => counter.Value += 1, () => counter.Value);
        });
        Report(output, "Guarded<long>.Update(v => v + 1)", expected, threads, incrementsPerThread, static () =>
        {
            var counter = new Guarded<long>(0);
            return (() => counter.Update(static v => v + 1), () => counter.Use(static v => v));
        });
        Report(output, "AtomicCounter.Increment()", expected, threads, incrementsPerThread, static () =>
        {
            var counter = new AtomicCounter();
            return (() => counter.Increment(), () => counter.Value);
        });
        Report(output, "StripedCounter.Increment()", expected, threads, incrementsPerThread, static () =>
        {
            var counter = new StripedCounter();
            return (counter.Increment, () => counter.Value);
        });
        Report(output, "AtomicReference<Tally>.Update(t => t + 1)", expected, threads, incrementsPerThread, static () =>
        {
            var counter = new AtomicReference<Tally>(new Tally(0));
            return (() => counter.Update(static t => new Tally(t.Count + 1)), () => counter.Value.Count);
        });
        if (unguardedLost == 0)
        {
            output.WriteLine("(The unguarded counter lost no update this time: its threads did not run at the same moment, as when a busy OS runs them on one core. Run again.)");
        }
    }

    /// <summary>Runs one counter: a short warm-up on a throwaway instance (so the measured run is compiled code), then the measured run.</summary>
    private static long Report(TextWriter output, string name, long expected, int threads, int incrementsPerThread, Func<(Action Increment, Func<long> Read)> create)
    {
        _ = Hammer(threads, Math.Min(incrementsPerThread, 100_000), create().Increment);
        var (increment, read) = create();
        var elapsed = Hammer(threads, incrementsPerThread, increment);
        var actual = read();
        var lost = expected - actual;
        var verdict = lost == 0 ? "none" : $"{lost:N0}";
        output.WriteLine($"{name,-44} {actual,14:N0} {verdict,12} {elapsed.TotalMilliseconds,7:N1} ms");
        return lost;
    }

    /// <summary>Starts <paramref name="threads"/> threads that spin at one gate, then each call <paramref name="increment"/> the given number of times.</summary>
    /// <remarks>The threads spin rather than block at the gate, so that they start within nanoseconds of each other and really overlap.</remarks>
    private static TimeSpan Hammer(int threads, int incrementsPerThread, Action increment)
    {
        var ready = 0;
        var go = 0;
        var workers = new Thread[threads];
        for (var t = 0; t < threads; t++)
        {
            workers[t] = new Thread(() =>
            {
                Interlocked.Increment(ref ready);
                while (Volatile.Read(ref go) == 0)
                {
                    Thread.SpinWait(1);
                }

                for (var i = 0; i < incrementsPerThread; i++)
                {
                    increment();
                }
            })
            { IsBackground = true };
            workers[t].Start();
        }

        while (Volatile.Read(ref ready) < threads)
        {
            Thread.Yield();
        }

        var started = Stopwatch.GetTimestamp();
        Volatile.Write(ref go, 1);
        foreach (var worker in workers)
        {
            worker.Join();
        }

        return Stopwatch.GetElapsedTime(started);
    }

    /// <summary>A counter with no protection at all.</summary>
    private sealed class Box
    {
        public long Value;
    }

    /// <summary>An immutable count, replaced as a whole through <see cref="AtomicReference{T}"/>.</summary>
    private sealed record Tally(long Count);
}
