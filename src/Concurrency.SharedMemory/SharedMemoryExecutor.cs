using System.Diagnostics;
using Concurrency.Internal;
using Concurrency.Processes;
using Concurrency.SharedMemory.Internal;
using Concurrency.SharedMemory.Transport;
using Microsoft.Extensions.Logging;

namespace Concurrency.SharedMemory;

/// <summary>
/// Runs workloads in a pool of worker processes, like <see cref="ProcessPoolExecutor"/>, but moves work through
/// ring buffers in shared memory instead of pipes, and lets large buffers reach workers without a copy: a
/// <see cref="SharedArrayHandle{T}"/> inside an input travels as a handle, and the workload maps the same memory.
/// </summary>
/// <remarks>
/// <code>
///  SubmitAsync / MapAsync ──batches──▶ pool (supervision, timeouts, recycling: the process pool's)
///      │  Hello (worker's stdin pipe) names an unnamed memory file of the parent (sealed against truncation) holding two rings; the worker maps it
///      ▼
///  ring parent→worker ──frames──▶ worker reader thread ──▶ workload.Execute(input with handles) ──▶ SharedArrayHandle.Open()
///  ring worker→parent ◀──results──┘                                   maps the segment: zero copy
///  the worker's stdout pipe stays silent: its end-of-file tells the pool the worker died, which closes the rings
/// </code>
/// <para>
/// Every promise of the process pool holds: a crash fails only its item and the worker is replaced, a hung item is
/// stopped by killing its worker, workers exit when the parent dies, and disposal leaves no process and no file.
/// Each worker has its own pair of rings, so a worker that dies mid-write wedges nothing: its rings go with it.
/// A ring reader spins for a few microseconds, then sleeps on a futex — an idle pool burns no core.
/// Nothing a worker writes into its rings can hurt the parent: each side checks the other's positions before it uses
/// them, and a violation kills the worker as a protocol error.
/// </para>
/// <para>Linux only: the rings sleep and wake with futexes on the shared mapping.</para>
/// </remarks>
[DebuggerDisplay("{Name,nq}: {MaxConcurrency} workers over shared memory")]
public sealed class SharedMemoryExecutor : IWorkExecutor, IDisposable, IBatchDispatcher, Concurrency.Processes.Internal.IPrestartableExecutor
{
    /// <summary>The kind name, as used by <c>AddWorkExecutor(configuration)</c>.</summary>
    internal const string KindName = "SharedMemory";

    private readonly ProcessPoolExecutor _pool;

    /// <summary>Initializes a new instance of the <see cref="SharedMemoryExecutor"/> class. Workers start at first use.</summary>
    /// <param name="options">The options; <see langword="null"/> for the defaults. A snapshot is taken: later changes have no effect.</param>
    /// <param name="loggerFactory">Where to log, including the workers' output; <see langword="null"/> for no logging.</param>
    /// <exception cref="ArgumentException">A setting of <paramref name="options"/> is invalid.</exception>
    /// <exception cref="PlatformNotSupportedException">The operating system is not Linux.</exception>
    public SharedMemoryExecutor(SharedMemoryExecutorOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        if (!OperatingSystem.IsLinux() || !Futex.IsSupported)
        {
            throw new PlatformNotSupportedException("SharedMemoryExecutor needs Linux (futexes on /dev/shm mappings). Use ProcessPoolExecutor elsewhere.");
        }

        options ??= new SharedMemoryExecutorOptions();
        _pool = new ProcessPoolExecutor(options, loggerFactory, new SharedChannelTransport(options.SpinDuration));

        // Segments left by owners that were killed (kill -9) are reclaimed when a pool starts (its workers start later).
        SharedMemoryJanitor.ReclaimStale();
    }

    /// <inheritdoc/>
    public string Name => _pool.Name;

    /// <inheritdoc/>
    /// <value><see cref="ExecutorCapabilities.IsolatesFailures"/> | <see cref="ExecutorCapabilities.HardCancellation"/> | <see cref="ExecutorCapabilities.ZeroCopyBuffers"/>.</value>
    public ExecutorCapabilities Capabilities => _pool.Capabilities | ExecutorCapabilities.ZeroCopyBuffers;

    /// <inheritdoc/>
    public int MaxConcurrency => _pool.MaxConcurrency;

    /// <inheritdoc/>
    TimeSpan IBatchDispatcher.TargetBatchDuration => ((IBatchDispatcher)_pool).TargetBatchDuration;

    /// <inheritdoc/>
    bool IBatchDispatcher.AllowSynchronousContinuations => ((IBatchDispatcher)_pool).AllowSynchronousContinuations;

    /// <summary>Starts every worker now, instead of at first use, and completes when they are ready.</summary>
    /// <param name="cancellationToken">Stops waiting (the workers keep starting).</param>
    /// <returns>A task that completes when the workers are ready.</returns>
    /// <exception cref="ObjectDisposedException">The executor has been disposed.</exception>
    /// <exception cref="InvalidOperationException">No worker could start (e.g. the worker initializer threw); the message says why.</exception>
    /// <exception cref="PlatformNotSupportedException">Workers cannot be started in this application (e.g. a single-file app).</exception>
    /// <remarks>A host calls it at start-up when the executor is registered with <c>AddSharedMemoryExecutor</c> or <c>AddWorkExecutor</c>.</remarks>
    public Task StartWorkersAsync(CancellationToken cancellationToken = default) => _pool.StartWorkersAsync(cancellationToken);

    /// <summary>Gets the process pool that runs the workers, for tests.</summary>
    internal ProcessPoolExecutor Pool => _pool;

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
    void IBatchDispatcher.ThrowIfDisposed() => ((IBatchDispatcher)_pool).ThrowIfDisposed();

    /// <inheritdoc/>
    ValueTask IBatchDispatcher.DispatchAsync(WorkBatch batch, CancellationToken cancellationToken) => ((IBatchDispatcher)_pool).DispatchAsync(batch, cancellationToken);

    /// <summary>Stops taking work, lets running items finish within the shutdown timeout, kills the rest, and removes every worker and shared file.</summary>
    /// <returns>A task that completes when every worker has exited.</returns>
    public ValueTask DisposeAsync() => _pool.DisposeAsync();

    /// <summary>Disposes the executor, blocking until <see cref="DisposeAsync"/> completes.</summary>
    public void Dispose() => _pool.Dispose();
}
