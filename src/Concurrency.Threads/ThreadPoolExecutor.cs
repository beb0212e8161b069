using System.Diagnostics;
using System.Threading.Channels;
using Concurrency.Internal;
using Concurrency.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Concurrency.Threads;

/// <summary>
/// Runs workloads on dedicated threads of this process: memory is shared and nothing is copied, so the
/// cost per item is the lowest of all executors, and a crashing workload takes the process down.
/// </summary>
/// <remarks>
/// <code>
///  SubmitAsync / MapAsync ──batches──▶ bounded Channel&lt;WorkBatch&gt; ──▶ MaxConcurrency dedicated threads
///                                                                          │ run items, settle them
///  caller's continuations ◀── thread pool (never the worker threads) ◀─────┘
/// </code>
/// <para>
/// Workers are dedicated background threads, so CPU-bound items do not starve the .NET thread pool.
/// A full queue makes submitters wait (back-pressure). The caller's token cancels a queued item at once
/// and a running one through <see cref="WorkContext.CancellationToken"/>; a running item that ignores
/// its token cannot be stopped (no <see cref="ExecutorCapabilities.HardCancellation"/>).
/// </para>
/// <para>
/// <see cref="DisposeAsync"/> stops taking work, cancels queued items, lets running items finish within
/// <see cref="WorkExecutorOptions.ShutdownTimeout"/>, then cancels their tokens and waits for the threads to end.
/// </para>
/// </remarks>
[DebuggerDisplay("{Name,nq}: {MaxConcurrency} threads")]
public sealed partial class ThreadPoolExecutor : IWorkExecutor, IDisposable, IBatchDispatcher
{
    /// <summary>The kind name, as used by <c>AddWorkExecutor(configuration)</c>.</summary>
    internal const string KindName = "Threads";

    /// <summary>A batch dispatch costs about a microsecond here (channel write, wake, completion): a 100 µs batch hides it.</summary>
    private static readonly TimeSpan BatchTarget = TimeSpan.FromMicroseconds(100);

    private readonly Channel<WorkBatch> _queue;
    private readonly Thread[] _threads;
    private readonly TaskCompletionSource[] _exited;
    private readonly CancellationTokenSource _stop = new();
    private readonly ExecutorTelemetry _telemetry;
    private readonly ILogger _logger;
    private readonly TimeSpan _shutdownTimeout;
    private readonly Func<bool> _shouldStop;
    private volatile bool _stopping;
    private readonly ShutdownOnce _shutdown = new();

    /// <summary>Initializes a new instance of the <see cref="ThreadPoolExecutor"/> class and starts its threads.</summary>
    /// <param name="options">The options; <see langword="null"/> for the defaults. A snapshot is taken: later changes have no effect.</param>
    /// <param name="loggerFactory">Where to log; <see langword="null"/> for no logging.</param>
    /// <exception cref="ArgumentException">A setting of <paramref name="options"/> is invalid.</exception>
    public ThreadPoolExecutor(ThreadPoolExecutorOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        options ??= new ThreadPoolExecutorOptions();
        options.ThrowIfInvalid();
        Name = options.Name ?? KindName;
        MaxConcurrency = options.EffectiveMaxConcurrency;
        _shutdownTimeout = options.ShutdownTimeout;
        _telemetry = new ExecutorTelemetry(KindName, Name);
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<ThreadPoolExecutor>();
        _shouldStop = () => _stopping;
        _queue = Channel.CreateBounded<WorkBatch>(new BoundedChannelOptions(options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            AllowSynchronousContinuations = false,
        });

        _threads = new Thread[MaxConcurrency];
        _exited = new TaskCompletionSource[MaxConcurrency];
        for (var i = 0; i < MaxConcurrency; i++)
        {
            var workerId = i;
            _exited[i] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _threads[i] = new Thread(() => WorkerLoop(workerId))
            {
                IsBackground = true,
                Name = $"Concurrency.Threads worker {workerId}",
            };
            _threads[i].Start();
        }

        LogStarted(_logger, Name, MaxConcurrency);
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    /// <value><see cref="ExecutorCapabilities.SharesMemory"/>.</value>
    public ExecutorCapabilities Capabilities => ExecutorCapabilities.SharesMemory;

    /// <inheritdoc/>
    public int MaxConcurrency { get; }

    /// <inheritdoc/>
    TimeSpan IBatchDispatcher.TargetBatchDuration => BatchTarget;

    /// <summary>Gets the worker threads, for tests that check none is left.</summary>
    internal IReadOnlyList<Thread> Threads => _threads;

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

    /// <summary>Stops taking work, cancels queued items, lets running ones finish within the shutdown timeout, and ends the threads.</summary>
    /// <returns>A task that completes when the threads have ended (or, for items that ignore cancellation, when the grace period is over).</returns>
    public ValueTask DisposeAsync() => _shutdown.RunAsync(ShutdownAsync);

    /// <summary>Disposes the executor, blocking until <see cref="DisposeAsync"/> completes.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

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

    private void WorkerLoop(int workerId)
    {
        var reader = _queue.Reader;
        try
        {
            while (true)
            {
                if (!reader.TryRead(out var batch))
                {
                    // Dedicated thread: blocking here costs no pool thread.
                    if (!reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
                    {
                        return;
                    }

                    continue;
                }

                _telemetry.Dequeued(batch.Count);
                if (_stopping)
                {
                    batch.CancelPending();
                    continue;
                }

                batch.RunInProcess(workerId, _shouldStop, _telemetry, _stop.Token);
            }
        }
        finally
        {
            _exited[workerId].TrySetResult();
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

        var allExited = Task.WhenAll(_exited.Select(e => e.Task));
        if (await WaitAsync(allExited, _shutdownTimeout).ConfigureAwait(false))
        {
            // Each worker signals just before its thread ends: join so that no thread outlives DisposeAsync.
            foreach (var thread in _threads)
            {
                thread.Join();
            }

            _stop.Dispose();
            return;
        }

        // Running items outlived the timeout: ask them to stop, and give them a last grace period.
        await _stop.CancelAsync().ConfigureAwait(false);
        if (!await WaitAsync(allExited, ShutdownGrace(_shutdownTimeout)).ConfigureAwait(false))
        {
            var running = _exited.Count(e => !e.Task.IsCompleted);
            LogAbandoned(_logger, Name, running);
        }
    }

    private static TimeSpan ShutdownGrace(TimeSpan timeout) =>
        timeout == Timeout.InfiniteTimeSpan ? timeout : TimeSpan.FromTicks(Math.Clamp(timeout.Ticks, TimeSpan.TicksPerSecond, 5 * TimeSpan.TicksPerSecond));

    private static Task<bool> WaitAsync(Task task, TimeSpan timeout) => TaskWaits.WaitAsync(task, timeout);

    [LoggerMessage(1, LogLevel.Debug, "Executor {Name} started {Threads} worker threads.")]
    private static partial void LogStarted(ILogger logger, string name, int threads);

    [LoggerMessage(2, LogLevel.Debug, "Executor {Name} is shutting down: queued items are cancelled, running items may finish.")]
    private static partial void LogStopping(ILogger logger, string name);

    [LoggerMessage(3, LogLevel.Warning, "Executor {Name} shut down with {Running} items still running after their tokens were cancelled; their threads end when the items return. A thread cannot be stopped from outside: use a process executor for work that must be stoppable.")]
    private static partial void LogAbandoned(ILogger logger, string name, int running);
}
