using Concurrency.Internal;

namespace Concurrency.Core.Tests.Internal;

/// <summary>A dispatcher that only answers the questions <see cref="BatchSizer"/> asks.</summary>
internal sealed class FakeDispatcher(int maxConcurrency, TimeSpan targetBatchDuration) : IBatchDispatcher
{
    public int MaxConcurrency => maxConcurrency;

    public TimeSpan TargetBatchDuration => targetBatchDuration;

    public void ThrowIfDisposed()
    {
    }

    public ValueTask DispatchAsync(WorkBatch batch, CancellationToken cancellationToken) => throw new NotSupportedException();
}

/// <summary>Workloads for batch tests.</summary>
internal sealed class Identity : IWorkload<int, int>
{
    public int Execute(int input, WorkContext context) => input;
}
