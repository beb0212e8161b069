using Concurrency.Processes;
using Concurrency.Processes.Tests;
using Concurrency.Tests;
using Microsoft.Extensions.Logging;

namespace Concurrency.SharedMemory.Tests.Executor;

// The process pool's fault tests (compiled in from tests/Concurrency.Processes.Tests), run on SharedMemoryExecutor:
// every promise of the process pool holds with frames on shared-memory rings instead of pipes.

public sealed class SharedMemorySupervisionTests() : SupervisionTests(SharedMemoryKind.Instance);

public sealed class SharedMemoryChaosTests() : ChaosTests(SharedMemoryKind.Instance);

public sealed class SharedMemoryBadInputTests() : BadInputTests(SharedMemoryKind.Instance);

public sealed class SharedMemoryOrphanTests() : OrphanTests(SharedMemoryKind.Instance);

/// <summary>The fault tests on <see cref="SharedMemoryExecutor"/>, observed through the process pool inside it.</summary>
internal sealed class SharedMemoryKind : PoolKind
{
    public static readonly SharedMemoryKind Instance = new();

    public override string ParentArgument => "sharedmemory";

    public override ProcessPoolExecutor PoolOf(IWorkExecutor executor) => ((SharedMemoryExecutor)executor).Pool;

    /// <summary>
    /// The killed parent held a shared array: its segment outlives it (nobody unlinked it) until the next pool starts,
    /// which reclaims it. Its workers' ring files were unlinked as soon as the workers had mapped them.
    /// </summary>
    public override void AssertKilledParentsFilesAreReclaimed(int parentPid)
    {
        Assert.Single(SharedMemoryLeaks.FilesOf(parentPid));

        using (new SharedMemoryExecutor())
        {
            Assert.Empty(SharedMemoryLeaks.FilesOf(parentPid));
        }
    }

    protected override ProcessPoolExecutorOptions NewOptions() => new SharedMemoryExecutorOptions();

    protected override IWorkExecutor Create(ProcessPoolExecutorOptions options, ILoggerFactory? loggers) =>
        new SharedMemoryExecutor((SharedMemoryExecutorOptions)options, loggers);
}
