using Concurrency.Tests;
using Microsoft.Extensions.Logging;

namespace Concurrency.Processes.Tests;

/// <summary>
/// The executor the fault tests (<see cref="SupervisionTests"/>, <see cref="ChaosTests"/>, <see cref="BadInputTests"/>,
/// <see cref="OrphanTests"/>) run on: the process pool itself, or an executor built on it. The tests are written once,
/// against <see cref="IWorkExecutor"/>; each test project that compiles them in derives one sealed class per test class,
/// passing its kind (the shared-memory tests link these files and pass theirs).
/// </summary>
internal abstract class PoolKind
{
    /// <summary>Gets the argument that makes the ParentProcess program own this kind of executor (see its Program.cs).</summary>
    public abstract string ParentArgument { get; }

    /// <summary>Creates an executor with the tests' defaults (short shutdown timeout and grace period), then <paramref name="configure"/>.</summary>
    public IWorkExecutor Create(int workers = 1, Action<ProcessPoolExecutorOptions>? configure = null, ILoggerFactory? loggers = null)
    {
        var options = TestSupport.WithDefaults(NewOptions(), workers);
        configure?.Invoke(options);
        return Create(options, loggers);
    }

    /// <summary>Gets the process pool inside <paramref name="executor"/>, whose internals (worker ids, running items) the tests observe.</summary>
    public abstract ProcessPoolExecutor PoolOf(IWorkExecutor executor);

    /// <summary>Gets the number of segment files the ParentProcess program holds in /dev/shm once its workers are ready.</summary>
    public abstract int ParentProcessSegments { get; }

    /// <summary>Asserts that no worker process of this process is left, and no shared-memory file it owns.</summary>
    public static void AssertNothingLeft()
    {
        TestSupport.AssertNoWorkers();
        Assert.Null(SharedMemoryLeaks.Describe());
    }

    /// <summary>Creates options of the executor's own options type (e.g. SharedMemoryExecutorOptions), with the defaults.</summary>
    protected abstract ProcessPoolExecutorOptions NewOptions();

    /// <summary>Creates the executor from <paramref name="options"/> (made by <see cref="NewOptions"/>).</summary>
    protected abstract IWorkExecutor Create(ProcessPoolExecutorOptions options, ILoggerFactory? loggers);
}
