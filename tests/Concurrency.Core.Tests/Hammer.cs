namespace Concurrency.Core.Tests;

/// <summary>Runs a body on several dedicated threads that all start at once (a <see cref="Barrier"/>), so they truly contend.</summary>
internal static class Hammer
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>At least four threads, and two per core, so that threads share cores and are preempted mid-operation.</summary>
    public static int ThreadCount => Math.Max(4, 2 * Environment.ProcessorCount);

    /// <summary>Runs <paramref name="body"/>(threadIndex) on <paramref name="threads"/> threads; rethrows the first failure.</summary>
    public static void Run(int threads, Action<int> body)
    {
        using var barrier = new Barrier(threads);
        var failures = new Exception?[threads];
        var workers = new Thread[threads];
        for (var t = 0; t < threads; t++)
        {
            var index = t;
            workers[t] = new Thread(() =>
            {
                try
                {
                    barrier.SignalAndWait(Timeout);
                    body(index);
                }
                catch (Exception ex)
                {
                    failures[index] = ex;
                }
            })
            {
                IsBackground = true,
                Name = $"hammer {index}",
            };
            workers[t].Start();
        }

        foreach (var worker in workers)
        {
            Assert.True(worker.Join(Timeout), "A stress thread did not finish within 30 s.");
        }

        foreach (var failure in failures)
        {
            if (failure is not null)
            {
                throw new AggregateException(failure);
            }
        }
    }
}
