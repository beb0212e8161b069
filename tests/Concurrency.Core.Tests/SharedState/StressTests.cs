using System.Collections.Immutable;

namespace Concurrency.Core.Tests.SharedState;

/// <summary>Many threads hammer each helper at once; every test ends with an exact count.</summary>
public sealed class StressTests
{
    private const int Iterations = 100_000;

    [Fact]
    public void Guarded_UseFromManyThreads_LosesNoIncrement()
    {
        var threads = Hammer.ThreadCount;
        var guarded = new Guarded<Box>(new Box());

        Hammer.Run(threads, _ =>
        {
            for (var i = 0; i < Iterations; i++)
            {
                guarded.Use(b => b.Value++);
            }
        });

        Assert.Equal((long)threads * Iterations, guarded.Use(b => b.Value));
    }

    [Fact]
    public void Guarded_UpdateFromManyThreads_LosesNoIncrement()
    {
        var threads = Hammer.ThreadCount;
        var guarded = new Guarded<long>(0);

        Hammer.Run(threads, _ =>
        {
            for (var i = 0; i < Iterations; i++)
            {
                guarded.Update(v => v + 1);
            }
        });

        Assert.Equal((long)threads * Iterations, guarded.Use(v => v));
    }

    [Fact]
    public void Guarded_UseAndExchangeFromManyThreads_EveryAddLandsInExactlyOneExchangedList()
    {
        var threads = Hammer.ThreadCount;
        var guarded = new Guarded<List<int>>([]);
        var drained = new List<int>[threads];

        Hammer.Run(threads, t =>
        {
            var mine = new List<int>();
            for (var i = 0; i < Iterations / 10; i++)
            {
                var value = (t * Iterations) + i;
                guarded.Use(list => list.Add(value));
                if (i % 64 == 0)
                {
                    mine.AddRange(guarded.Exchange([]));
                }
            }

            drained[t] = mine;
        });

        var all = drained.SelectMany(d => d).Concat(guarded.Exchange([])).ToList();
        Assert.Equal(threads * (Iterations / 10), all.Count);
        Assert.Equal(all.Count, all.Distinct().Count());
    }

    [Fact]
    public void AtomicCounter_IncrementDecrementAndAddFromManyThreads_EndsExact()
    {
        var threads = Hammer.ThreadCount;
        var counter = new AtomicCounter();

        Hammer.Run(threads, _ =>
        {
            for (var i = 0; i < Iterations; i++)
            {
                counter.Increment();
                counter.Add(3);
                counter.Decrement();
            }
        });

        Assert.Equal(3L * threads * Iterations, counter.Value);
    }

    [Fact]
    public void AtomicCounter_CompareExchangeLoopsFromManyThreads_LoseNoUpdate()
    {
        var threads = Hammer.ThreadCount;
        var counter = new AtomicCounter();
        var retries = new AtomicCounter();

        Hammer.Run(threads, _ =>
        {
            for (var i = 0; i < Iterations; i++)
            {
                var current = counter.Value;
                while (true)
                {
                    var seen = counter.CompareExchange(current + 2, current);
                    if (seen == current)
                    {
                        break;
                    }

                    retries.Increment();
                    current = seen;
                }
            }
        });

        Assert.Equal(2L * threads * Iterations, counter.Value);
    }

    [Fact]
    public void AtomicCounter_ResetDuringIncrements_SumOfResetsPlusValueEqualsTotal()
    {
        var threads = Hammer.ThreadCount;
        var counter = new AtomicCounter();
        long reset = 0;

        Hammer.Run(threads, t =>
        {
            for (var i = 0; i < Iterations; i++)
            {
                counter.Increment();
                if (t == 0 && i % 100 == 0)
                {
                    reset += counter.Reset();
                }
            }
        });

        Assert.Equal((long)threads * Iterations, reset + counter.Value);
    }

    [Fact]
    public void StripedCounter_IncrementAddDecrementFromManyThreads_EndsExact()
    {
        var threads = Hammer.ThreadCount;
        var counter = new StripedCounter();

        Hammer.Run(threads, _ =>
        {
            for (var i = 0; i < Iterations; i++)
            {
                counter.Increment();
                counter.Add(5);
                counter.Decrement();
            }
        });

        Assert.Equal(5L * threads * Iterations, counter.Value);
    }

    [Fact]
    public void StripedCounter_ResetDuringWrites_SumOfResetsPlusFinalValueEqualsTotal()
    {
        var writers = Hammer.ThreadCount;
        var counter = new StripedCounter();
        var resets = new List<long>();
        var writersDone = 0;

        // One extra thread resets over and over while the writers run.
        Hammer.Run(writers + 1, t =>
        {
            if (t == writers)
            {
                do
                {
                    resets.Add(counter.Reset());
                }
                while (Volatile.Read(ref writersDone) < writers);

                return;
            }

            for (var i = 0; i < Iterations; i++)
            {
                counter.Increment();
                counter.Add(2);
            }

            Interlocked.Increment(ref writersDone);
        });

        Assert.NotEmpty(resets);
        Assert.Equal(3L * writers * Iterations, resets.Sum() + counter.Value);
    }

    [Fact]
    public void AtomicReference_UpdateWithImmutableListFromManyThreads_LosesNoElement()
    {
        var threads = Hammer.ThreadCount;
        const int perThread = 10_000;
        var reference = new AtomicReference<ImmutableList<int>>(ImmutableList<int>.Empty);

        Hammer.Run(threads, t =>
        {
            for (var i = 0; i < perThread; i++)
            {
                reference.Update((t * perThread) + i, static (list, value) => list.Add(value));
            }
        });

        var final = reference.Value;
        Assert.Equal(threads * perThread, final.Count);
        Assert.Equal(Enumerable.Range(0, threads * perThread), final.Order());
    }

    [Fact]
    public void AtomicReference_UpdateWithClosureFromManyThreads_LosesNoIncrement()
    {
        var threads = Hammer.ThreadCount;
        var reference = new AtomicReference<string>("0");

        Hammer.Run(threads, _ =>
        {
            for (var i = 0; i < Iterations / 10; i++)
            {
                reference.Update(s => (long.Parse(s, System.Globalization.CultureInfo.InvariantCulture) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        });

        Assert.Equal((threads * (Iterations / 10)).ToString(System.Globalization.CultureInfo.InvariantCulture), reference.Value);
    }

    private sealed class Box
    {
        public long Value { get; set; }
    }
}
