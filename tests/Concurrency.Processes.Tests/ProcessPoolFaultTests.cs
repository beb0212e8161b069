using Microsoft.Extensions.Logging;

namespace Concurrency.Processes.Tests;

// The fault tests, run on ProcessPoolExecutor itself (the shared-memory tests run the same ones on SharedMemoryExecutor).

public sealed class ProcessPoolSupervisionTests() : SupervisionTests(ProcessPoolKind.Instance);

public sealed class ProcessPoolChaosTests() : ChaosTests(ProcessPoolKind.Instance);

public sealed class ProcessPoolBadInputTests() : BadInputTests(ProcessPoolKind.Instance);

public sealed class ProcessPoolOrphanTests() : OrphanTests(ProcessPoolKind.Instance);

public sealed class ProcessPoolHostileWorkerTests() : HostileWorkerTests(ProcessPoolKind.Instance);

/// <summary>The fault tests on <see cref="ProcessPoolExecutor"/> itself.</summary>
internal sealed class ProcessPoolKind : PoolKind
{
    public static readonly ProcessPoolKind Instance = new();

    public override string ParentArgument => "processes";

    public override ProcessPoolExecutor PoolOf(IWorkExecutor executor) => (ProcessPoolExecutor)executor;

    /// <summary>None: the process pool's progress regions are unnamed memory files.</summary>
    public override int ParentProcessSegments => 0;

    protected override ProcessPoolExecutorOptions NewOptions() => new();

    protected override IWorkExecutor Create(ProcessPoolExecutorOptions options, ILoggerFactory? loggers) => new ProcessPoolExecutor(options, loggers);
}
