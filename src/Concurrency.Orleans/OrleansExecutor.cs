using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Threading.Channels;
using Concurrency.Internal;
using Concurrency.Orleans.Internal;
using Concurrency.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace Concurrency.Orleans;

/// <summary>
/// Runs workloads on the silos of a Microsoft Orleans cluster: the same <see cref="IWorkload{TInput, TResult}"/>
/// as on threads or processes, for work that outgrows one machine.
/// </summary>
/// <remarks>
/// <code>
///  SubmitAsync / MapAsync ──batches──▶ bounded Channel&lt;WorkBatch&gt; ──▶ MaxConcurrency slots (async loops)
///                                                                          │ one grain call per batch
///                                  silo A: WorkerGrain "exec/0/0" ◀────────┤ (placement hint: slots spread
///                                  silo B: WorkerGrain "exec/1/0" ◀────────┘  round-robin over the silos)
///                                          │ Task.Run: decode, Execute each item, encode
///  caller's continuations ◀── thread pool ◀┘ settle items from the response
/// </code>
/// <para>
/// Items travel as the library's own payloads (MessagePack, by declared type); workload types need no Orleans
/// attribute, but must be deployed with the silos, which run only workload types of their own application
/// (see <c>AddConcurrencyWorkers()</c>). Each slot is a grain activation of its own, placed on the silos in turn,
/// so work spreads over the cluster; a slot runs one batch at a time, so at most
/// <see cref="WorkExecutorOptions.MaxConcurrency"/> items run at once.
/// </para>
/// <para>
/// The caller's token cancels a queued item at once and reaches a running one through
/// <see cref="WorkContext.CancellationToken"/> (Orleans carries the cancellation to the silo). When a silo is lost
/// while it runs a batch, the items of an <see cref="IdempotentWorkloadAttribute">idempotent</see> workload run
/// again on another silo (up to <see cref="OrleansExecutorOptions.MaxAttempts"/> times); the others fail with
/// <see cref="WorkerCrashedException"/>. The slot moves to a live silo and carries on.
/// </para>
/// </remarks>
[DebuggerDisplay("{Name,nq}: {MaxConcurrency} slots")]
public sealed partial class OrleansExecutor : IWorkExecutor, IBatchDispatcher
{
    /// <summary>The kind name, as used by <c>AddWorkExecutor(configuration)</c>.</summary>
    internal const string KindName = "Orleans";

    /// <summary>A grain call costs a few hundred microseconds on a local cluster and a network round trip across machines: a 5 ms batch hides it.</summary>
    private static readonly TimeSpan BatchTarget = TimeSpan.FromMilliseconds(5);

    /// <summary>How long a silo whose call failed is left out of placement hints.</summary>
    private static readonly TimeSpan SuspicionTime = TimeSpan.FromSeconds(60);

    /// <summary>How long to wait for the list of silos before placing by the grain's own strategy.</summary>
    private static readonly TimeSpan SiloListTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How long a list of silos is trusted before it is asked for again.</summary>
    private static readonly TimeSpan SiloListAge = TimeSpan.FromSeconds(10);

    /// <summary>A call that has not answered after this long is watched: its slot's activation is pinged at this period.</summary>
    private static readonly TimeSpan PingPeriod = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Consecutive pings that fail, or find the activation idle while the call is still pending, before the call is
    /// taken as lost: about six seconds, long enough not to mistake a busy silo for a dead one.
    /// </summary>
    private const int LostAfterPings = 3;

    private static readonly ConcurrentDictionary<Type, bool> RetrySafe = new();

    private readonly IGrainFactory _grains;
    private readonly Channel<WorkBatch> _queue;
    private readonly Slot[] _slots;
    private readonly Task[] _loops;
    private readonly CancellationTokenSource _stop = new();
    private readonly ExecutorTelemetry _telemetry;
    private readonly ILogger _logger;
    private readonly TimeSpan _shutdownTimeout;
    private readonly int _maxAttempts;
    private readonly IPayloadSerializer _serializer = MessagePackPayloadSerializer.Instance;
    private readonly string _instance = Guid.NewGuid().ToString("N");
    private readonly ConcurrentDictionary<string, long> _itemsPerSilo = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<SiloAddress, long> _suspected = new();
    private readonly Lock _silosLock = new();
    private SiloAddress[] _silos = [];
    private long _calls;
    private long _silosReadAt;
    private volatile bool _stopping;
    private readonly ShutdownOnce _shutdown = new();

    /// <summary>Initializes a new instance of the <see cref="OrleansExecutor"/> class.</summary>
    /// <param name="grainFactory">The cluster client (or a grain factory of a silo) through which work reaches the cluster.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults. A snapshot is taken: later changes have no effect.</param>
    /// <param name="loggerFactory">Where to log; <see langword="null"/> for no logging.</param>
    /// <exception cref="ArgumentNullException"><paramref name="grainFactory"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A setting of <paramref name="options"/> is invalid.</exception>
    public OrleansExecutor(IGrainFactory grainFactory, OrleansExecutorOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(grainFactory);
        options ??= new OrleansExecutorOptions();
        options.ThrowIfInvalid();
        _grains = grainFactory;
        Name = options.Name ?? KindName;
        MaxConcurrency = options.EffectiveMaxConcurrency;
        _shutdownTimeout = options.ShutdownTimeout;
        _maxAttempts = options.MaxAttempts;
        _telemetry = new ExecutorTelemetry(KindName, Name);
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<OrleansExecutor>();
        _queue = Channel.CreateBounded<WorkBatch>(new BoundedChannelOptions(options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            AllowSynchronousContinuations = false,
        });

        _slots = new Slot[MaxConcurrency];
        _loops = new Task[MaxConcurrency];
        for (var i = 0; i < MaxConcurrency; i++)
        {
            _slots[i] = new Slot(i, MaxConcurrency);
        }

        for (var i = 0; i < MaxConcurrency; i++)
        {
            var slot = _slots[i];
            _loops[i] = Task.Run(() => SlotLoopAsync(slot), CancellationToken.None);
        }

        LogStarted(_logger, Name, MaxConcurrency);
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    /// <value><see cref="ExecutorCapabilities.SpansMachines"/> | <see cref="ExecutorCapabilities.IsolatesFailures"/>.</value>
    public ExecutorCapabilities Capabilities => ExecutorCapabilities.SpansMachines | ExecutorCapabilities.IsolatesFailures;

    /// <inheritdoc/>
    /// <remarks>The number of worker slots: grain activations spread over the silos, each running one batch at a time.</remarks>
    public int MaxConcurrency { get; }

    /// <inheritdoc/>
    TimeSpan IBatchDispatcher.TargetBatchDuration => BatchTarget;

    /// <summary>Gets how many items ran, by the silo that ran them (its address), for diagnostics and tests.</summary>
    internal IReadOnlyDictionary<string, long> ItemsPerSilo => _itemsPerSilo;

    /// <summary>Gets how many grain calls carried batches, for tests of batching.</summary>
    internal long GrainCalls => Volatile.Read(ref _calls);

    /// <summary>Gets the slot loops, for tests that check none is left.</summary>
    internal IReadOnlyList<Task> SlotLoops => _loops;

    /// <inheritdoc/>
    public Task<TResult> SubmitAsync<TInput, TResult>(IWorkload<TInput, TResult> workload, TInput input, CancellationToken cancellationToken = default) =>
        WorkSubmission.SubmitAsync(this, workload, input, cancellationToken);

    /// <inheritdoc/>
    public IAsyncEnumerable<TResult> MapAsync<TInput, TResult>(IWorkload<TInput, TResult> workload, IEnumerable<TInput> inputs, MapOptions? options = null, CancellationToken cancellationToken = default) =>
        MapEngine.MapAsync(this, workload, inputs, options, cancellationToken);

    /// <inheritdoc/>
    public IAsyncEnumerable<TResult> MapAsync<TInput, TResult>(IWorkload<TInput, TResult> workload, IAsyncEnumerable<TInput> inputs, MapOptions? options = null, CancellationToken cancellationToken = default) =>
        MapEngine.MapAsync(this, workload, inputs, options, cancellationToken);

    /// <inheritdoc/>
    void IBatchDispatcher.ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_shutdown.IsStarted, this);

    /// <inheritdoc/>
    ValueTask IBatchDispatcher.DispatchAsync(WorkBatch batch, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_shutdown.IsStarted, this);
        _telemetry.Queued(batch.Count);
        if (_queue.Writer.TryWrite(batch))
        {
            return default;
        }

        return WriteSlowAsync(batch, cancellationToken);
    }

    /// <summary>Stops taking work, cancels queued items, lets running batches finish within the shutdown timeout, then cancels them.</summary>
    /// <returns>A task that completes when every slot has stopped.</returns>
    public ValueTask DisposeAsync() => _shutdown.RunAsync(ShutdownAsync);

    /// <summary>Returns whether items of <paramref name="workloadType"/> may run again after their silo was lost.</summary>
    internal static bool IsRetrySafe(Type workloadType) =>
        RetrySafe.GetOrAdd(workloadType, static t => t.GetCustomAttribute<IdempotentWorkloadAttribute>(inherit: false) is not null);

    private async ValueTask WriteSlowAsync(WorkBatch batch, CancellationToken cancellationToken)
    {
        try
        {
            await _queue.Writer.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            _telemetry.Dequeued(batch.Count);
            throw new ObjectDisposedException(GetType().FullName);
        }
        catch (OperationCanceledException)
        {
            _telemetry.Dequeued(batch.Count);
            throw;
        }
    }

    private async Task SlotLoopAsync(Slot slot)
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var batch))
            {
                _telemetry.Dequeued(batch.Count);
                if (_stopping)
                {
                    batch.CancelPending();
                    continue;
                }

                try
                {
                    await RunBatchAsync(slot, batch).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // A slot never dies: whatever went wrong fails this batch's items, and the slot goes on.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    batch.FailUnsettled(() => ex);
                }
            }
        }
    }

    private async Task RunBatchAsync(Slot slot, WorkBatch batch)
    {
        var claimed = new List<int>(batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            if (batch.TryClaim(i))
            {
                claimed.Add(i);
            }
        }

        if (claimed.Count == 0)
        {
            return;
        }

        var indices = claimed.ToArray();
        if (WorkloadRule(batch.WorkloadType) is { } broken)
        {
            Fail(batch, indices, new InvalidOperationException(broken));
            return;
        }

        var codec = BatchCodec.For(batch);
        WorkRequest request;
        try
        {
            request = codec.Encode(batch, indices, slot.WorkerId, _serializer);
        }
        catch (NotSupportedException ex)
        {
            Fail(batch, indices, ex);
            return;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(batch.CancellationToken, _stop.Token);
        var token = linked.Token;
        for (var attempt = 1; ; attempt++)
        {
            if (token.IsCancellationRequested)
            {
                CancelAll(batch, indices);
                return;
            }

            var target = await slot.TargetAsync(this).ConfigureAwait(false);
            var workerId = slot.WorkerId;
            if (request.WorkerId != workerId)
            {
                request = request.WithWorkerId(workerId);
            }

            WorkResponse response;
            try
            {
                response = await CallAsync(target, request, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                CancelAll(batch, indices);
                return;
            }
#pragma warning disable CA1031 // Any failure of the call means the batch's fate on the silo is unknown.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                var lostSilo = slot.Lose();
                if (lostSilo is not null)
                {
                    _suspected[lostSilo] = Stopwatch.GetTimestamp() + (long)(SuspicionTime.TotalSeconds * Stopwatch.Frequency);
                }

                Volatile.Write(ref _silosReadAt, 0);
                var where = lostSilo?.ToString() ?? "an unknown silo";
                if (IsRetrySafe(batch.WorkloadType) && attempt < _maxAttempts)
                {
                    LogRetrying(_logger, Name, indices.Length, where, attempt, ex.GetType().Name, ex.Message);
                    continue;
                }

                LogLost(_logger, Name, indices.Length, where, ex.GetType().Name, ex.Message);
                var message = IsRetrySafe(batch.WorkloadType)
                    ? $"Worker {workerId} (slot {slot.Id}) lost the item on silo {where} {attempt} times ({ex.GetType().Name}: {ex.Message}); the cluster may be shutting down. The slot moved to another silo."
                    : $"Worker {workerId} (slot {slot.Id}) lost the item: silo {where} failed while running it ({ex.GetType().Name}: {ex.Message}). The item was not retried because workload {batch.WorkloadType.FullName} is not marked [IdempotentWorkload]; the slot moved to another silo.";
                foreach (var index in indices)
                {
                    var crash = new WorkerCrashedException(message, workerId, exitCode: null);
                    if (batch.TrySetException(index, crash))
                    {
                        _telemetry.ItemFailed(crash);
                    }
                }

                return;
            }

            slot.Confirm(response.Silo);
            if (response.Silo is { } silo)
            {
                _itemsPerSilo.AddOrUpdate(silo.ToString(), response.ExecutedCount, (_, n) => n + response.ExecutedCount);
            }

            batch.ExecutionTicks = (long)(response.ExecutionTime.TotalSeconds * Stopwatch.Frequency);
            batch.ExecutedCount = response.ExecutedCount;
            _telemetry.ItemsStarted(response.ExecutedCount);
            _telemetry.ItemsCompleted(codec.Settle(batch, indices, response, _serializer, _telemetry));
            return;
        }
    }

    /// <summary>The rule every silo applies to workload types (public, concrete, parameterless constructor), checked before sending.</summary>
    internal static string? WorkloadRule(Type type) =>
        type.IsVisible && !type.IsAbstract && !type.IsGenericType && type.GetConstructor(Type.EmptyTypes) is not null
            ? null
            : type.IsGenericType
                ? $"The silo cannot run workload {type.FullName}: generic workload types cannot run in the cluster. Derive a non-generic public class."
                : $"The silo cannot run workload {type.FullName}: a workload that runs in the cluster must be a public, non-abstract class with a public parameterless constructor.";

    private async Task<WorkResponse> CallAsync(Slot.Target target, WorkRequest request, CancellationToken token)
    {
        var grain = _grains.GetGrain<IWorkerGrain>(target.Key);
        Interlocked.Increment(ref _calls);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(token);
        Task<WorkResponse> call;
        if (target.Hint is null)
        {
            call = grain.RunAsync(request, attempt.Token);
        }
        else
        {
            // The hint places a new activation on the chosen silo; it means nothing once the activation exists.
            RequestContext.Set(IPlacementDirector.PlacementHintKey, target.Hint);
            try
            {
                call = grain.RunAsync(request, attempt.Token);
            }
            finally
            {
                RequestContext.Remove(IPlacementDirector.PlacementHintKey);
            }
        }

        try
        {
            return await SuperviseAsync(grain, call).ConfigureAwait(false);
        }
        catch (SiloLostException)
        {
            // Whatever becomes of the call now, nobody waits for it; tell its silo to stop, in case it still lives.
            _ = call.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            await attempt.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Waits for <paramref name="call"/>; while it takes long, pings the slot's activation. An activation that cannot
    /// be reached, or that is idle while the call is pending (a new activation: the old one was lost with its silo),
    /// <see cref="LostAfterPings"/> times in a row, means the call is lost: Orleans may not notice for a long time.
    /// </summary>
    private static async Task<WorkResponse> SuperviseAsync(IWorkerGrain grain, Task<WorkResponse> call)
    {
        var misses = 0;
        string? why = null;
        while (true)
        {
            if (await Task.WhenAny(call, Task.Delay(PingPeriod)).ConfigureAwait(false) == call)
            {
                return await call.ConfigureAwait(false);
            }

            try
            {
                var status = await grain.PingAsync().ConfigureAwait(false);
                if (status.Busy || call.IsCompleted)
                {
                    misses = 0;
                    continue;
                }

                why = $"the slot's activation (now on silo {status.Silo}) is idle while the call is pending";
            }
#pragma warning disable CA1031 // A ping that fails is a sign, not an error.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                why = $"{ex.GetType().Name}: {ex.Message}";
            }

            if (++misses >= LostAfterPings && !call.IsCompleted)
            {
                throw new SiloLostException($"the call went unanswered and {LostAfterPings} pings failed ({why})");
            }
        }
    }

    private void Fail(WorkBatch batch, int[] indices, Exception error)
    {
        foreach (var index in indices)
        {
            if (batch.TrySetException(index, error))
            {
                _telemetry.ItemFailed(error);
            }
        }
    }

    private static void CancelAll(WorkBatch batch, int[] indices)
    {
        foreach (var index in indices)
        {
            batch.TrySetCanceled(index);
        }
    }

    /// <summary>Picks the silo a new activation of slot <paramref name="slotId"/> should go to: the live silos in turn, suspected ones left out.</summary>
    private async ValueTask<SiloAddress?> ChooseSiloAsync(int slotId, int generation)
    {
        var silos = await SilosAsync().ConfigureAwait(false);
        var now = Stopwatch.GetTimestamp();
        var usable = silos.Where(s => !_suspected.TryGetValue(s, out var until) || until < now).ToArray();
        if (usable.Length == 0)
        {
            return null;
        }

        return usable[(slotId + generation) % usable.Length];
    }

    private async ValueTask<SiloAddress[]> SilosAsync()
    {
        var readAt = Volatile.Read(ref _silosReadAt);
        if (readAt != 0 && Stopwatch.GetElapsedTime(readAt) < SiloListAge)
        {
            return _silos;
        }

        try
        {
            // Bounded: the management grain may itself have been on a lost silo.
            var hosts = await _grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(SiloListTimeout).ConfigureAwait(false);
            var silos = hosts.Keys.OrderBy(s => s.ToString(), StringComparer.Ordinal).ToArray();
            lock (_silosLock)
            {
                _silos = silos;
                _silosReadAt = Stopwatch.GetTimestamp();
            }

            return silos;
        }
#pragma warning disable CA1031 // Without the list, placement falls back to the grain's own (random) strategy.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogNoSiloList(_logger, Name, ex.GetType().Name, ex.Message);
            return _silos;
        }
    }

    private async Task ShutdownAsync()
    {
        LogStopping(_logger, Name);
        _stopping = true;
        _queue.Writer.TryComplete();
        while (_queue.Reader.TryRead(out var queued))
        {
            _telemetry.Dequeued(queued.Count);
            queued.CancelPending();
        }

        var allStopped = Task.WhenAll(_loops);
        if (!await WaitAsync(allStopped, _shutdownTimeout).ConfigureAwait(false))
        {
            // Running batches outlived the timeout: cancel them (the silos see their tokens cancelled).
            await _stop.CancelAsync().ConfigureAwait(false);
            await allStopped.ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private static Task<bool> WaitAsync(Task task, TimeSpan timeout) => TaskWaits.WaitAsync(task, timeout);

    [LoggerMessage(1, LogLevel.Debug, "Executor {Name} started {Slots} worker slots.")]
    private static partial void LogStarted(ILogger logger, string name, int slots);

    [LoggerMessage(2, LogLevel.Debug, "Executor {Name} is shutting down: queued items are cancelled, running batches may finish.")]
    private static partial void LogStopping(ILogger logger, string name);

    [LoggerMessage(3, LogLevel.Warning, "Executor {Name}: a batch of {Count} items was lost on silo {Silo} (attempt {Attempt}, {ErrorType}: {Error}); the workload is idempotent, so it runs again on another silo.")]
    private static partial void LogRetrying(ILogger logger, string name, int count, string silo, int attempt, string errorType, string error);

    [LoggerMessage(4, LogLevel.Warning, "Executor {Name}: a batch of {Count} items was lost on silo {Silo} ({ErrorType}: {Error}); its items fail with WorkerCrashedException.")]
    private static partial void LogLost(ILogger logger, string name, int count, string silo, string errorType, string error);

    [LoggerMessage(5, LogLevel.Debug, "Executor {Name} could not read the list of silos ({ErrorType}: {Error}); new slots are placed by the grain's random placement.")]
    private static partial void LogNoSiloList(ILogger logger, string name, string errorType, string error);

    /// <summary>A call taken as lost with its silo.</summary>
    private sealed class SiloLostException(string message) : Exception(message);

    /// <summary>
    /// A worker slot: a grain key that names one activation at a time. Its generation changes when its silo
    /// is lost, so that the next call creates a fresh activation on a live silo instead of waiting for the
    /// cluster to notice the loss.
    /// </summary>
    private sealed class Slot(int id, int slots)
    {
        private int _generation;
        private bool _placed;
        private SiloAddress? _silo;

        public int Id { get; } = id;

        /// <summary>Gets the <see cref="WorkContext.WorkerId"/> of the slot's current activation: the slot, plus the slot count per move to a new silo, so a replaced worker gets a new id.</summary>
        public int WorkerId => Id + (_generation * slots);

        /// <summary>Returns the grain to call and, for a slot not yet placed, the silo to place it on.</summary>
        public async ValueTask<Target> TargetAsync(OrleansExecutor executor)
        {
            var key = $"{executor._instance}/{Id}/{_generation}";
            if (_placed)
            {
                return new Target(key, null);
            }

            _silo = await executor.ChooseSiloAsync(Id, _generation).ConfigureAwait(false);
            return new Target(key, _silo);
        }

        /// <summary>Records the silo the activation answered from.</summary>
        public void Confirm(SiloAddress? silo)
        {
            _placed = true;
            _silo = silo ?? _silo;
        }

        /// <summary>The call failed: the next call goes to a new activation. Returns the silo the slot was on, if known.</summary>
        public SiloAddress? Lose()
        {
            var lost = _silo;
            _generation++;
            _placed = false;
            _silo = null;
            return lost;
        }

        public readonly record struct Target(string Key, SiloAddress? Hint);
    }
}
