namespace Concurrency.Processes;

/// <summary>Options of <see cref="ProcessPoolExecutor"/>.</summary>
/// <remarks>
/// <para>
/// The pool runs <c>MaxConcurrency / ThreadsPerWorker</c> worker processes, each running
/// <see cref="ThreadsPerWorker"/> items at once on its own threads, so at most
/// <see cref="WorkExecutorOptions.MaxConcurrency"/> items run at the same time.
/// </para>
/// <list type="table">
/// <listheader><term>Setting</term><description>Default</description></listheader>
/// <item><term><see cref="WorkExecutorOptions.MaxConcurrency"/></term><description>The processor count (rounded down to a multiple of <see cref="ThreadsPerWorker"/>, at least one worker).</description></item>
/// <item><term><see cref="ThreadsPerWorker"/></term><description>1: one item per process, the strongest isolation.</description></item>
/// <item><term><see cref="ItemTimeout"/></term><description>None.</description></item>
/// <item><term><see cref="CancellationGracePeriod"/></term><description>5 seconds.</description></item>
/// <item><term><see cref="MaxItemsPerWorker"/>, <see cref="MaxWorkerMemory"/></term><description>None: workers are not recycled.</description></item>
/// <item><term><see cref="WorkerInitializer"/></term><description>None.</description></item>
/// <item><term><see cref="Serializer"/></term><description><see cref="MessagePackWorkSerializer"/>.</description></item>
/// <item><term><see cref="WorkerStartTimeout"/></term><description>60 seconds.</description></item>
/// <item><term><see cref="AllowSynchronousContinuations"/></term><description><see langword="false"/>: continuations run on the thread pool.</description></item>
/// <item><term><see cref="WorkExecutorOptions.QueueCapacity"/></term><description>1024 batches.</description></item>
/// <item><term><see cref="WorkExecutorOptions.ShutdownTimeout"/></term><description>30 seconds.</description></item>
/// </list>
/// <para>Not sealed: the shared-memory executor's options extend these, since it keeps every promise of the process pool.</para>
/// </remarks>
public class ProcessPoolExecutorOptions : WorkExecutorOptions
{
    /// <summary>Gets or sets how many items each worker process runs at once, on its own threads.</summary>
    /// <value>The default value is 1.</value>
    /// <remarks>
    /// More threads per worker means fewer processes (less memory, faster start) for the same concurrency —
    /// "processes outside, threads inside" — at the price of isolation: a crash fails every item running in
    /// that worker, and the items of one worker share its memory.
    /// </remarks>
    public int ThreadsPerWorker { get; set; } = ProcessPoolDefaults.ThreadsPerWorker;

    /// <summary>Gets or sets how long one item may run; past it the worker is killed, the item fails with <see cref="WorkTimeoutException"/> and the worker is replaced.</summary>
    /// <value>The default value is <see langword="null"/>: no timeout.</value>
    /// <remarks>Killing the process is the one way to stop CPU-bound code that does not observe its token.</remarks>
    public TimeSpan? ItemTimeout { get; set; }

    /// <summary>
    /// Gets or sets the clock item timeouts and the cancellation grace period are measured with (the system clock by
    /// default; tests use a fake one).
    /// </summary>
    internal TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Gets or sets how long a cancelled item may keep running before its worker is killed (the item ends cancelled and the worker is replaced).</summary>
    /// <value>The default value is 5 seconds: enough for code that checks its token now and then.</value>
    public TimeSpan CancellationGracePeriod { get; set; } = ProcessPoolDefaults.CancellationGracePeriod;

    /// <summary>Gets or sets how many items a worker runs before it is replaced, between two items.</summary>
    /// <value>The default value is <see langword="null"/>: no limit. Set it for workloads that leak.</value>
    public int? MaxItemsPerWorker { get; set; }

    /// <summary>Gets or sets the working set, in bytes, above which a worker is replaced, between two items.</summary>
    /// <value>The default value is <see langword="null"/>: no limit. A worker's working set includes the runtime's own (about 30 MB).</value>
    public long? MaxWorkerMemory { get; set; }

    /// <summary>Gets or sets a type implementing <see cref="IWorkerInitializer"/> that runs once in each worker when it starts.</summary>
    /// <value>The default value is <see langword="null"/>: none.</value>
    public Type? WorkerInitializer { get; set; }

    /// <summary>Gets or sets the type implementing <see cref="IWorkSerializer"/> that the pool and every worker create to move workloads, inputs and results.</summary>
    /// <value>The default value is <see cref="MessagePackWorkSerializer"/>.</value>
    public Type Serializer { get; set; } = typeof(MessagePackWorkSerializer);

    /// <summary>Gets or sets how long a worker may take to start (including <see cref="WorkerInitializer"/>) before it is killed.</summary>
    /// <value>The default value is 60 seconds.</value>
    public TimeSpan WorkerStartTimeout { get; set; } = ProcessPoolDefaults.WorkerStartTimeout;

    /// <summary>
    /// Gets or sets a value indicating whether the code awaiting an item may continue synchronously on the pool's thread
    /// that received the item's result, instead of being queued to the thread pool.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    /// <remarks>
    /// <para>
    /// As with <c>System.Threading.Channels</c>' option of the same name: <see langword="true"/> saves a thread hand-off on
    /// every round trip (a thread-pool wake-up: several microseconds, much more on a virtual machine with idle cores),
    /// which matters to callers that await one small item after another. It applies to <c>SubmitAsync</c> and to ordered
    /// <c>MapAsync</c>, and only where the pool has finished its own bookkeeping and holds no lock.
    /// </para>
    /// <para>
    /// The continuation then runs on the thread that reads one worker's results: while it runs, that worker's next
    /// results wait. Keep it short, and never block in it on another item of the same pool (<c>.Result</c>,
    /// <c>.Wait()</c>): if that item lands on the same worker, nothing can deliver it, and the caller hangs.
    /// </para>
    /// </remarks>
    public bool AllowSynchronousContinuations { get; set; }

    /// <summary>Gets the number of worker processes these options give.</summary>
    internal int WorkerCount => MaxConcurrency is { } max ? Math.Max(1, max / ThreadsPerWorker) : Math.Max(1, Environment.ProcessorCount / ThreadsPerWorker);

    internal override void Validate(List<string> errors)
    {
        base.Validate(errors);
        var type = GetType().Name;
        if (ThreadsPerWorker <= 0)
        {
            errors.Add($"{type}.ThreadsPerWorker must be greater than 0, got {ThreadsPerWorker}.");
        }
        else if (MaxConcurrency is > 0 and var max && max % ThreadsPerWorker != 0)
        {
            errors.Add($"{type}.MaxConcurrency must be a multiple of ThreadsPerWorker ({ThreadsPerWorker}), got {max}: the pool runs MaxConcurrency / ThreadsPerWorker worker processes of ThreadsPerWorker threads each.");
        }

        if (ItemTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            errors.Add($"{type}.ItemTimeout must be greater than zero, got {timeout}. Leave it null for no timeout.");
        }

        if (CancellationGracePeriod < TimeSpan.Zero)
        {
            errors.Add($"{type}.CancellationGracePeriod must be zero or positive, got {CancellationGracePeriod}.");
        }

        if (MaxItemsPerWorker is <= 0)
        {
            errors.Add($"{type}.MaxItemsPerWorker must be greater than 0, got {MaxItemsPerWorker}. Leave it null for no limit.");
        }

        if (MaxWorkerMemory is <= 0)
        {
            errors.Add($"{type}.MaxWorkerMemory must be greater than 0 bytes, got {MaxWorkerMemory}. Leave it null for no limit.");
        }

        if (WorkerStartTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{type}.WorkerStartTimeout must be greater than zero, got {WorkerStartTimeout}.");
        }

        if (WorkerInitializer is not null && Internal.TypeGate.CheckCreatable(WorkerInitializer, typeof(IWorkerInitializer)) is { } initializerProblem)
        {
            errors.Add($"{type}.WorkerInitializer must be a public, non-abstract class of the application with a public parameterless constructor that implements {nameof(IWorkerInitializer)}; {WorkerInitializer.FullName} is not: {initializerProblem}.");
        }

        if (Serializer is null)
        {
            errors.Add($"{type}.Serializer must name a type that implements {nameof(IWorkSerializer)}, got null.");
        }
        else if (Internal.TypeGate.CheckCreatable(Serializer, typeof(IWorkSerializer)) is { } serializerProblem)
        {
            errors.Add($"{type}.Serializer must be a public, non-abstract class of the application with a public parameterless constructor that implements {nameof(IWorkSerializer)}; {Serializer.FullName} is not: {serializerProblem}.");
        }
    }
}

/// <summary>The defaults of <see cref="ProcessPoolExecutorOptions"/>, and why.</summary>
internal static class ProcessPoolDefaults
{
    /// <summary>One item per process: a crash takes down one item only.</summary>
    public const int ThreadsPerWorker = 1;

    /// <summary>Long enough for code that checks its token every few milliseconds or seconds; short enough that a cancelled map frees its workers soon.</summary>
    public static readonly TimeSpan CancellationGracePeriod = TimeSpan.FromSeconds(5);

    /// <summary>A worker starts in about 0.1 s; an initializer that loads a model may take much longer.</summary>
    public static readonly TimeSpan WorkerStartTimeout = TimeSpan.FromSeconds(60);

    /// <summary>A batch that dies with its worker is sent to another worker at most this many times before its items fail.</summary>
    public const int MaxBatchAttempts = 3;

    /// <summary>After a worker fails to start, the pool waits this long (doubling up to <see cref="MaxStartBackoff"/>) before it tries again.</summary>
    public static readonly TimeSpan FirstStartBackoff = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan MaxStartBackoff = TimeSpan.FromSeconds(30);

    /// <summary>A worker writes each frame with one call: a frame that stops arriving half-way for this long means a corrupt protocol, not a slow worker.</summary>
    public static readonly TimeSpan FrameStallTimeout = TimeSpan.FromSeconds(10);
}
