using Orleans;
using Orleans.Concurrency;

namespace Concurrency.Orleans.Internal;

/// <summary>
/// A worker slot of an <see cref="OrleansExecutor"/> in the cluster: runs one batch at a time (the grain is not
/// reentrant), on the silo's .NET thread pool, not on the Orleans scheduler.
/// </summary>
/// <remarks>
/// Keyed by executor instance, slot and generation (<c>{executor}/{slot}/{generation}</c>): a fresh activation per
/// executor is placed where the executor's placement hint says, so slots spread over the silos; after a silo is
/// lost, the slot moves to a new generation, that is a new activation on a live silo.
/// </remarks>
[Alias("Concurrency.Orleans.IWorkerGrain")]
internal interface IWorkerGrain : IGrainWithStringKey
{
    /// <summary>Runs a batch. <paramref name="cancellationToken"/> reaches every item's <see cref="WorkContext.CancellationToken"/>.</summary>
    /// <remarks>A batch may run for long (CPU-heavy items): the response timeout is the executor's, not Orleans' default 30 s.</remarks>
    [ResponseTimeout("1.00:00:00")]
    [Alias("Run")]
    Task<WorkResponse> RunAsync(WorkRequest request, CancellationToken cancellationToken);

    /// <summary>Answers at once, even while a batch runs: where the activation is and whether it is running a batch.</summary>
    /// <remarks>The executor pings a slot whose call takes long, to notice a lost silo without waiting for the call to time out.</remarks>
    [AlwaysInterleave]
    [ResponseTimeout("00:00:10")]
    [Alias("Ping")]
    Task<WorkerStatus> PingAsync();
}
