using BenchmarkDotNet.Attributes;

namespace Concurrency.Benchmarks;

/// <summary>
/// Two threads increment one shared counter, each <see cref="IncrementsPerThread"/> times. Op/s is increments
/// per second (both threads together). Target: StripedCounter ≥ 2 × AtomicCounter. The unguarded long loses
/// updates (it is the speed of no synchronisation, not a correct counter).
/// </summary>
[Config(typeof(ShortInProcessConfig))]
public class CounterBenchmarks
{
    public const int IncrementsPerThread = 1_000_000;
    private const int Threads = 2;
    private const int Increments = Threads * IncrementsPerThread;

    private ContendingThreads _threads = null!;

    [GlobalSetup]
    public void Setup() => _threads = new ContendingThreads(Threads);

    [GlobalCleanup]
    public void Cleanup() => _threads.Dispose();

    [Benchmark(OperationsPerInvoke = Increments)]
    public long Unguarded()
    {
        var counter = new Box();
        _threads.Run(() =>
        {
            for (var i = 0; i < IncrementsPerThread; i++)
            {
                counter.Value += 1;
            }
        });
        return counter.Value;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Increments)]
    public long Atomic()
    {
        var counter = new AtomicCounter();
        _threads.Run(() =>
        {
            for (var i = 0; i < IncrementsPerThread; i++)
            {
                counter.Increment();
            }
        });
        return Check(counter.Value);
    }

    [Benchmark(OperationsPerInvoke = Increments)]
    public long Striped()
    {
        var counter = new StripedCounter();
        _threads.Run(() =>
        {
            for (var i = 0; i < IncrementsPerThread; i++)
            {
                counter.Increment();
            }
        });
        return Check(counter.Value);
    }

    [Benchmark(OperationsPerInvoke = Increments)]
    public long GuardedLong()
    {
        var counter = new Guarded<long>(0);
        _threads.Run(() =>
        {
            for (var i = 0; i < IncrementsPerThread; i++)
            {
                counter.Update(static v => v + 1);
            }
        });
        return Check(counter.Use(static v => v));
    }

    private static long Check(long value) => value == Increments
        ? value
        : throw new InvalidOperationException($"Counted {value} increments, expected {Increments}.");

    private sealed class Box
    {
        public long Value;
    }
}

/// <summary>Dedicated threads that start an action together and finish before <see cref="Run"/> returns, so thread start-up is not measured.</summary>
internal sealed class ContendingThreads : IDisposable
{
    private readonly Barrier _barrier;
    private readonly Thread[] _threads;
    private Action _action = static () => { };
    private volatile bool _stop;

    public ContendingThreads(int count)
    {
        _barrier = new Barrier(count + 1);
        _threads = new Thread[count];
        for (var i = 0; i < count; i++)
        {
            _threads[i] = new Thread(Loop) { IsBackground = true, Name = $"contender {i}" };
            _threads[i].Start();
        }
    }

    public void Run(Action action)
    {
        _action = action;
        _barrier.SignalAndWait(); // start together
        _barrier.SignalAndWait(); // all done
    }

    public void Dispose()
    {
        _stop = true;
        _barrier.SignalAndWait();
        foreach (var thread in _threads)
        {
            thread.Join();
        }

        _barrier.Dispose();
    }

    private void Loop()
    {
        while (true)
        {
            _barrier.SignalAndWait();
            if (_stop)
            {
                return;
            }

            _action();
            _barrier.SignalAndWait();
        }
    }
}
