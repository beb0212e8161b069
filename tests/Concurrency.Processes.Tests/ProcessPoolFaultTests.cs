using Concurrency.Tests;
using Concurrency.Tests.Shared;
using Microsoft.Extensions.Logging;

namespace Concurrency.Processes.Tests;

// The fault tests, run on ProcessPoolExecutor itself (the shared-memory tests run the same ones on SharedMemoryExecutor).

public sealed class ProcessPoolSupervisionTests() : SupervisionTests(ProcessPoolKind.Instance);

public sealed class ProcessPoolChaosTests() : ChaosTests(ProcessPoolKind.Instance);

public sealed class ProcessPoolBadInputTests() : BadInputTests(ProcessPoolKind.Instance);

public sealed class ProcessPoolOrphanTests() : OrphanTests(ProcessPoolKind.Instance);

/// <summary>The fault tests on <see cref="ProcessPoolExecutor"/> itself.</summary>
internal sealed class ProcessPoolKind : PoolKind
{
    public static readonly ProcessPoolKind Instance = new();

    public override string ParentArgument => "processes";

    public override ProcessPoolExecutor PoolOf(IWorkExecutor executor) => (ProcessPoolExecutor)executor;

    /// <summary>A killed process pool leaves nothing in /dev/shm to reclaim: its progress regions are unnamed memory files.</summary>
    public override void AssertKilledParentsFilesAreReclaimed(int parentPid)
    {
        Assert.Null(SharedMemoryLeaks.Describe(parentPid));
        Assert.Empty(ProcessLeaks.ShmFiles("concurrency-progress-"));
    }

    protected override ProcessPoolExecutorOptions NewOptions() => new();

    protected override IWorkExecutor Create(ProcessPoolExecutorOptions options, ILoggerFactory? loggers) => new ProcessPoolExecutor(options, loggers);
}
