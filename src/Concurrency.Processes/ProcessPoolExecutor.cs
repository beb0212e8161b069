using System.Diagnostics;
using Concurrency.Internal;
using Concurrency.Processes.Internal;
using Concurrency.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Concurrency.Processes;

/// <summary>
/// Runs workloads in a supervised pool of worker processes: a crash, a hang or a leak in a workload fails
/// only its own item, and the worker is replaced. Inputs, results and the workload's public properties are
/// serialized; the workload's code is the application's own, loaded by each worker.
/// </summary>
/// <remarks>
/// <code>
///  SubmitAsync / MapAsync (MapEngine: ordering, batching, back-pressure)
///     │ DispatchAsync(batch)
///     ▼
///  idle slot? ──yes──▶ Send on the caller's thread ─┐          one slot = one thread of one worker process
///     │ no                                          │
///     ▼                                             ▼
///  queue (QueueCapacity batches; re-sent batches first) ──▶ Send: claim items, DefineWorkload once, Batch frame ──▶ worker stdin
///                                                                                                                    │
///  worker: reader thread ─▶ slot thread runs items in order, publishes "item i of batch s started/done" in a shared map
///                                                                                                                    │
///  reader thread per worker ◀── Results frames (one per item, before the next starts) ◀─ worker's private stdout ◀───┘
///     │ settles items (continuations run on the thread pool, never here)
///     │ Finished: the slot takes the next queued batch, or goes idle
///     ▼
///  EOF (the worker died) ─▶ exit code ─▶ the item that was running (from the shared map) fails
///        with WorkerCrashedException / WorkTimeoutException / cancellation; the items that never started
///        go back to the front of the queue; one that ran to the end but whose result was lost fails, never
///        runs again; a replacement worker starts in the background.
///
///  supervisor thread ─▶ kills a worker whose item passed ItemTimeout, or ignored cancellation past the grace period.
/// </code>
/// <para>
/// Workers start at first use (or with <see cref="StartWorkersAsync"/>, which a host does at start-up when the
/// pool is registered with <c>AddProcessPoolExecutor</c>) and are reused. Each runs
/// <see cref="ProcessPoolExecutorOptions.ThreadsPerWorker"/> items at once. Their stdout and stderr reach the
/// logger (category <c>Concurrency.Processes.Worker</c>) and never the protocol. When this process dies, even by
/// <c>kill -9</c>, its workers see their stdin close and exit at once.
/// </para>
/// <para>
/// <see cref="DisposeAsync"/> stops taking work, cancels queued items, lets running items finish within
/// <see cref="WorkExecutorOptions.ShutdownTimeout"/>, then cancels them, kills what is left after the grace
/// period, and waits for every worker process to be reaped.
/// </para>
/// </remarks>
[DebuggerDisplay("{Name,nq}: {_workerCount} workers x {_threads} threads")]
public sealed partial class ProcessPoolExecutor : IWorkExecutor, IDisposable, IBatchDispatcher, IPrestartableExecutor
{
    /// <summary>The kind name, as used by <c>AddWorkExecutor(configuration)</c>.</summary>
    internal const string KindName = "Processes";

    /// <summary>A dispatch costs a pipe round trip (tens of microseconds): a 2 ms batch hides it, and a crash loses little.</summary>
    private static readonly TimeSpan BatchTarget = TimeSpan.FromMilliseconds(2);

    private readonly Lock _lock = new();
    private readonly Queue<QueuedBatch> _queue = new();
    private readonly Queue<QueuedBatch> _retry = new();
    private readonly List<WorkerSlot> _idle = [];
    private readonly List<WorkerProcess> _workers = [];
    private readonly List<Task> _starts = [];
    private readonly List<BatchCodec> _codecs = [];
    private readonly SemaphoreSlim _queueSpace;
    private readonly IWorkSerializer _serializer;
    private readonly ExecutorTelemetry _telemetry;
    private readonly ILogger _logger;
    private readonly ILogger _workerLogger;
    private readonly Thread _supervisor;
    private readonly ManualResetEventSlim _superviseSignal = new();
    private readonly TimeSpan _supervisionPeriod;
    private readonly TimeProvider _time;
    private readonly ITimer? _supervisionTicks;
    private readonly CancellationTokenSource _stop = new();
    private volatile bool _supervisorStopped;
    private TaskCompletionSource? _passWaiter;
    private readonly int _workerCount;
    private readonly int _threads;
    private readonly TimeSpan? _itemTimeout;
    private readonly IWorkerTransport? _transport;
    private readonly TimeSpan _grace;
    private readonly int _maxItems;
    private readonly long _maxMemory;
    private readonly string _serializerName;
    private readonly string? _initializerName;
    private readonly TimeSpan _startTimeout;
    private readonly TimeSpan _shutdownTimeout;
    private readonly bool _synchronousContinuations;
    private int _nextWorkerId;
    private int _starting;

    /// <summary>Worker processes started and not yet ended (their reader handled the end): what disposal waits for (pool lock).</summary>
    private int _live;

    /// <summary>Completes once the pool is stopping and no worker process is alive or starting.</summary>
    private readonly TaskCompletionSource _noneLive = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _busy;
    private bool _started;
    private volatile bool _stopping;
    private readonly ShutdownOnce _shutdown = new();
    private Exception? _startFault;
    private long _retryAt;
    private TimeSpan _backoff = ProcessPoolDefaults.FirstStartBackoff;
    private TaskCompletionSource? _idleWaiter;

    /// <summary>Initializes a new instance of the <see cref="ProcessPoolExecutor"/> class. Workers start at first use, or with <see cref="StartWorkersAsync"/>.</summary>
    /// <param name="options">The options; <see langword="null"/> for the defaults. A snapshot is taken: later changes have no effect.</param>
    /// <param name="loggerFactory">Where to log, including the workers' output; <see langword="null"/> for no logging.</param>
    /// <exception cref="ArgumentException">A setting of <paramref name="options"/> is invalid.</exception>
    public ProcessPoolExecutor(ProcessPoolExecutorOptions? options = null, ILoggerFactory? loggerFactory = null)
        : this(options, loggerFactory, transport: null)
    {
    }

    /// <summary>Initializes a pool whose frames travel on <paramref name="transport"/> after each worker's Hello (the shared-memory executor's rings).</summary>
    internal ProcessPoolExecutor(ProcessPoolExecutorOptions? options, ILoggerFactory? loggerFactory, IWorkerTransport? transport)
    {
        options ??= new ProcessPoolExecutorOptions();
        options.ThrowIfInvalid();
        var kind = transport?.Kind ?? KindName;
        Name = options.Name ?? kind;
        _transport = transport;
        _threads = options.ThreadsPerWorker;
        _workerCount = options.WorkerCount;
        MaxConcurrency = _workerCount * _threads;
        _itemTimeout = options.ItemTimeout;
        _grace = options.CancellationGracePeriod;
        _maxItems = options.MaxItemsPerWorker ?? 0;
        _maxMemory = options.MaxWorkerMemory ?? 0;
        _serializerName = TypeGate.NameOf(options.Serializer);
        _initializerName = options.WorkerInitializer is { } initializer ? TypeGate.NameOf(initializer) : null;
        _startTimeout = options.WorkerStartTimeout;
        _shutdownTimeout = options.ShutdownTimeout;
        _synchronousContinuations = options.AllowSynchronousContinuations;
        _serializer = (IWorkSerializer)Activator.CreateInstance(options.Serializer)!;
        _queueSpace = new SemaphoreSlim(options.QueueCapacity);
        _telemetry = new ExecutorTelemetry(kind, Name);
        loggerFactory ??= NullLoggerFactory.Instance;
        _logger = loggerFactory.CreateLogger<ProcessPoolExecutor>();
        _workerLogger = loggerFactory.CreateLogger("Concurrency.Processes.Worker");
        _time = options.TimeProvider;
        _supervisionPeriod = SupervisionPeriod(_itemTimeout, _grace);
        if (_time != TimeProvider.System)
        {
            // Another clock (a test's fake one) wakes the supervisor on its own ticks too.
            _supervisionTicks = _time.CreateTimer(static s => ((ManualResetEventSlim)s!).Set(), _superviseSignal, _supervisionPeriod, _supervisionPeriod);
        }

        _supervisor = new Thread(SuperviseLoop)
        {
            IsBackground = true,
            Name = $"Concurrency pool {Name} supervisor",
        };
        _supervisor.Start();
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    /// <value><see cref="ExecutorCapabilities.IsolatesFailures"/> | <see cref="ExecutorCapabilities.HardCancellation"/>.</value>
    public ExecutorCapabilities Capabilities => ExecutorCapabilities.IsolatesFailures | ExecutorCapabilities.HardCancellation;

    /// <inheritdoc/>
    /// <value>The number of worker processes times <see cref="ProcessPoolExecutorOptions.ThreadsPerWorker"/>.</value>
    public int MaxConcurrency { get; }

    /// <inheritdoc/>
    TimeSpan IBatchDispatcher.TargetBatchDuration => BatchTarget;

    /// <inheritdoc/>
    bool IBatchDispatcher.AllowSynchronousContinuations => _synchronousContinuations;

    /// <summary>Gets the process ids of the live workers, for tests.</summary>
    internal IReadOnlyList<int> WorkerProcessIds
    {
        get
        {
            lock (_lock)
            {
                return [.. _workers.Select(w => w.Pid)];
            }
        }
    }

    /// <summary>Gets the ids (<see cref="WorkContext.WorkerId"/>) of the ready workers, for tests.</summary>
    internal IReadOnlyList<int> ReadyWorkerIds
    {
        get
        {
            lock (_lock)
            {
                return [.. _workers.Where(w => w.State == WorkerState.Ready).Select(w => w.Id)];
            }
        }
    }

    /// <summary>Gets how many worker processes the pool has started so far, for tests.</summary>
    internal int WorkersStarted => Volatile.Read(ref _nextWorkerId);

    /// <summary>Gets how many items workers are running now (per the progress map), for tests.</summary>
    internal int RunningItems
    {
        get
        {
            lock (_lock)
            {
                var running = 0;
                foreach (var worker in _workers)
                {
                    if (worker.State is not (WorkerState.Ready or WorkerState.Retiring))
                    {
                        continue;
                    }

                    foreach (var slot in worker.Slots)
                    {
                        if (slot.Current is { Claimed: true } assignment)
                        {
                            var (seq, _, done) = worker.Progress.Read(slot.Index);
                            running += seq == assignment.Seq && !done ? 1 : 0;
                        }
                    }
                }

                return running;
            }
        }
    }

    /// <inheritdoc/>
    public Task<TResult> SubmitAsync<TInput, TResult>(IWorkload<TInput, TResult> workload, TInput input, CancellationToken cancellationToken = default) =>
        WorkSubmission.SubmitAsync(this, workload, input, cancellationToken);

    /// <inheritdoc/>
    public IAsyncEnumerable<TResult> MapAsync<TInput, TResult>(IWorkload<TInput, TResult> workload, IEnumerable<TInput> inputs, MapOptions? options = null, CancellationToken cancellationToken = default) =>
        MapEngine.MapAsync(this, workload, inputs, options, cancellationToken);

    /// <inheritdoc/>
    public IAsyncEnumerable<TResult> MapAsync<TInput, TResult>(IWorkload<TInput, TResult> workload, IAsyncEnumerable<TInput> inputs, MapOptions? options = null, CancellationToken cancellationToken = default) =>
        MapEngine.MapAsync(this, workload, inputs, options, cancellationToken);

    /// <summary>Starts every worker now, instead of at first use, and completes when they are ready.</summary>
    /// <param name="cancellationToken">Stops waiting (the workers keep starting).</param>
    /// <returns>A task that completes when the workers are ready.</returns>
    /// <exception cref="ObjectDisposedException">The executor has been disposed.</exception>
    /// <exception cref="InvalidOperationException">No worker could start (e.g. the worker initializer threw); the message says why.</exception>
    /// <exception cref="PlatformNotSupportedException">Workers cannot be started in this application (e.g. a single-file app).</exception>
    public async Task StartWorkersAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_shutdown.IsStarted, this);
        Task[] starts;
        int spawn;
        lock (_lock)
        {
            _started = true;
            spawn = ReserveSpawnsLocked();
        }

        SpawnWorkers(spawn);
        lock (_lock)
        {
            starts = [.. _starts];
        }

        await Task.WhenAll(starts).WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            if (_startFault is { } fault && !_workers.Any(w => w.State == WorkerState.Ready))
            {
                throw fault is PlatformNotSupportedException ? new PlatformNotSupportedException(fault.Message, fault) : new InvalidOperationException(fault.Message, fault);
            }
        }
    }

    /// <inheritdoc/>
    void IBatchDispatcher.ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_shutdown.IsStarted, this);

    /// <summary>Stops taking work, cancels queued items, lets running ones finish within the shutdown timeout, then stops the workers and reaps them.</summary>
    /// <returns>A task that completes when every worker process has exited.</returns>
    public ValueTask DisposeAsync() => _shutdown.RunAsync(ShutdownAsync);

    /// <summary>Disposes the executor, blocking until <see cref="DisposeAsync"/> completes.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private static TimeSpan SupervisionPeriod(TimeSpan? itemTimeout, TimeSpan grace)
    {
        var shortest = itemTimeout is { } t && t < grace ? t : grace;
        return TimeSpan.FromTicks(Math.Clamp(shortest.Ticks / 8, TimeSpan.TicksPerMillisecond * 10, TimeSpan.TicksPerMillisecond * 250));
    }
}
