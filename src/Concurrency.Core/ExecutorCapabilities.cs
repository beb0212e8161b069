namespace Concurrency;

/// <summary>What an <see cref="IWorkExecutor"/> promises about isolation and data movement.</summary>
[Flags]
public enum ExecutorCapabilities
{
    /// <summary>No particular capability.</summary>
    None = 0,

    /// <summary>Workloads see the caller's objects: nothing is copied, and shared state must be guarded.</summary>
    SharesMemory = 1,

    /// <summary>A crashing workload cannot take the caller down: it fails its own item only.</summary>
    IsolatesFailures = 2,

    /// <summary>A running item can be stopped without its cooperation, after a grace period.</summary>
    HardCancellation = 4,

    /// <summary>Shared-array handles inside inputs reach workers without a copy of their data.</summary>
    ZeroCopyBuffers = 8,

    /// <summary>Work items may run on other machines.</summary>
    SpansMachines = 16,
}
