using Concurrency.Processes;
using Concurrency.Processes.Tests;
using Microsoft.Extensions.Logging;

namespace Concurrency.SharedMemory.Tests.Executor;

// The process pool's fault tests (compiled in from tests/Concurrency.Processes.Tests), run on SharedMemoryExecutor:
// every promise of the process pool holds with frames on shared-memory rings instead of pipes.

public sealed class SharedMemorySupervisionTests() : SupervisionTests(SharedMemoryKind.Instance);

public sealed class SharedMemoryChaosTests() : ChaosTests(SharedMemoryKind.Instance);

public sealed class SharedMemoryBadInputTests() : BadInputTests(SharedMemoryKind.Instance);

public sealed class SharedMemoryOrphanTests() : OrphanTests(SharedMemoryKind.Instance);

public sealed class SharedMemoryHostileWorkerTests() : HostileWorkerTests(SharedMemoryKind.Instance);

/// <summary>The fault tests on <see cref="SharedMemoryExecutor"/>, observed through the process pool inside it.</summary>
internal sealed class SharedMemoryKind : PoolKind
{
    public static readonly SharedMemoryKind Instance = new();

    public override string ParentArgument => "sharedmemory";

    public override ProcessPoolExecutor PoolOf(IWorkExecutor executor) => ((SharedMemoryExecutor)executor).Pool;

    /// <summary>The shared array the parent holds; its workers' rings are unnamed memory files.</summary>
    public override int ParentProcessSegments => 1;

    protected override ProcessPoolExecutorOptions NewOptions() => new SharedMemoryExecutorOptions();

    protected override IWorkExecutor Create(ProcessPoolExecutorOptions options, ILoggerFactory? loggers) =>
        new SharedMemoryExecutor((SharedMemoryExecutorOptions)options, loggers);
}
