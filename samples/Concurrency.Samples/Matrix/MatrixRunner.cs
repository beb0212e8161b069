using System.Diagnostics;
using Concurrency.Processes;
using Concurrency.Samples.Workloads;

namespace Concurrency.Samples.Matrix;

/// <summary>What the matrix runs: which workloads on which executor kinds, how big, how often.</summary>
/// <param name="Workloads">Workload names: sum, primes, pipeline, inplace.</param>
/// <param name="ExecutorKinds">Executor kinds, as Executor:Kind takes them.</param>
/// <param name="Scale">Multiplies every workload's size (1: the article's sizes).</param>
/// <param name="Runs">Timed runs per cell, after one warm-up run; the median is reported.</param>
/// <param name="OutputDirectory">Where the pipeline's database files, the chart and the table go.</param>
/// <param name="HangTimeout">The ItemTimeout given to executors that can stop a hung item.</param>
/// <param name="PipelineIterations">The pipeline's CPU cost per value.</param>
internal sealed record MatrixSettings(
    IReadOnlyList<string> Workloads,
    IReadOnlyList<string> ExecutorKinds,
    double Scale,
    int Runs,
    string OutputDirectory,
    TimeSpan HangTimeout,
    int PipelineIterations = 24);

/// <summary>One row of the matrix: a workload on one executor (or sequentially).</summary>
internal sealed record MatrixRow
{
    public required string Workload { get; init; }

    /// <summary>Gets the executor's kind as asked (Threads, ...), or "Sequential".</summary>
    public required string Executor { get; init; }

    public int? Workers { get; init; }

    public int? Items { get; init; }

    public TimeSpan? Wall { get; init; }

    public double? Speedup { get; init; }

    /// <summary>Gets the sum of the peak resident sets of this process and of its worker processes during the cell.</summary>
    public long? PeakMemoryBytes { get; init; }

    /// <summary>Gets how many processes <see cref="PeakMemoryBytes"/> sums.</summary>
    public int? Processes { get; init; }

    public long? BytesPerItem { get; init; }

    public string? CrashSurvived { get; init; }

    public string? HangStopped { get; init; }

    public string? Answer { get; init; }

    public bool Ok { get; init; }

    /// <summary>Gets why the row is empty (executor not available) or what went wrong, or null.</summary>
    public string? Note { get; init; }

    /// <summary>Gets a value indicating whether every measurement of the row is present.</summary>
    public bool IsComplete => Workers is not null && Items is not null && Wall is not null && Speedup is not null && (PeakMemoryBytes is not null || !MemorySampler.IsSupported)
        && BytesPerItem is not null && CrashSurvived is not null && HangStopped is not null && Answer is not null;
}

/// <summary>A step of the matrix, for a progress display.</summary>
internal readonly record struct MatrixStep(int Done, int Total, string Description);

/// <summary>Runs every workload sequentially and on every executor kind, and measures each cell of the decision matrix.</summary>
internal sealed class MatrixRunner(MatrixSettings settings, ExecutorFactory factory)
{
    public const string Sequential = "Sequential";
    public const string NotAvailable = "not available";
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(60);
    private readonly IWorkSerializer _serializer = new MessagePackWorkSerializer();

    /// <summary>Gets the number of steps <see cref="RunAsync"/> reports.</summary>
    public int TotalSteps => (settings.Workloads.Count * (settings.ExecutorKinds.Count + 1)) + settings.ExecutorKinds.Count;

    public async Task<IReadOnlyList<MatrixRow>> RunAsync(IProgress<MatrixStep>? progress, CancellationToken cancellationToken)
    {
        var rows = new List<MatrixRow>();
        var done = 0;
        void Step(string description) => progress?.Report(new MatrixStep(done++, TotalSteps, description));

        // Crash and hang first, per executor kind: their answers go into every row of that kind.
        var checks = new Dictionary<string, (string? Crash, string? Hang, string? Problem)>(StringComparer.OrdinalIgnoreCase);
        foreach (var kind in settings.ExecutorKinds)
        {
            Step($"{kind}: crash and hang checks");
            checks[kind] = await CheckFailuresAsync(kind, cancellationToken);
        }

        foreach (var name in settings.Workloads)
        {
            using var workload = CreateWorkload(name);
            Step($"{name}: sequential");
            var sequential = await MeasureAsync(workload, null, cancellationToken);
            var reference = workload.ExpectedAnswer ?? sequential.Answer;
            rows.Add(new MatrixRow
            {
                Workload = name,
                Executor = Sequential,
                Workers = 1,
                Items = workload.ItemCount(null),
                Wall = sequential.Median,
                Speedup = 1,
                PeakMemoryBytes = sequential.Memory,
                Processes = sequential.Processes,
                BytesPerItem = 0,
                CrashSurvived = "no (same process)",
                HangStopped = "no (same thread)",
                Answer = sequential.Answer,
                Ok = sequential.Answer == reference,
                Note = sequential.Answer == reference ? null : $"expected {reference}",
            });

            foreach (var kind in settings.ExecutorKinds)
            {
                Step($"{name}: {kind}");
                rows.Add(await RunCellAsync(workload, kind, sequential.Median, reference, checks[kind], cancellationToken));
            }
        }

        progress?.Report(new MatrixStep(TotalSteps, TotalSteps, "done"));
        return rows;
    }

    private MatrixWorkload CreateWorkload(string name) => name switch
    {
        "sum" => new SumMatrixWorkload(settings.Scale),
        "primes" => new PrimesMatrixWorkload(settings.Scale),
        "pipeline" => new PipelineMatrixWorkload(settings.Scale, settings.OutputDirectory, settings.PipelineIterations),
        "inplace" => new InPlaceMatrixWorkload(settings.Scale),
        _ => throw new ArgumentException($"Unknown matrix workload '{name}'. Known: sum, primes, pipeline, inplace.", nameof(name)),
    };

    private async Task<MatrixRow> RunCellAsync(MatrixWorkload workload, string kind, TimeSpan sequential, string reference, (string? Crash, string? Hang, string? Problem) checks, CancellationToken cancellationToken)
    {
        var (lease, problem) = factory.TryCreate(kind);
        if (lease is null)
        {
            return new MatrixRow { Workload = workload.Name, Executor = kind, Note = $"{NotAvailable}: {checks.Problem ?? problem}" };
        }

        await using (lease)
        {
            var executor = lease.Executor;
            try
            {
                var measured = await MeasureAsync(workload, executor, cancellationToken);
                var ok = measured.Answer == reference;
                return new MatrixRow
                {
                    Workload = workload.Name,
                    Executor = kind,
                    Workers = executor.MaxConcurrency,
                    Items = workload.ItemCount(executor),
                    Wall = measured.Median,
                    Speedup = sequential / measured.Median,
                    PeakMemoryBytes = measured.Memory,
                    Processes = measured.Processes,
                    BytesPerItem = workload.SerializedBytesPerItem(executor, _serializer),
                    CrashSurvived = checks.Crash,
                    HangStopped = checks.Hang,
                    Answer = measured.Answer,
                    Ok = ok,
                    Note = ok ? null : $"WRONG: expected {reference}",
                };
            }
            catch (Exception ex) when (ex is WorkloadException or WorkerCrashedException or WorkTimeoutException or InvalidOperationException or NotSupportedException or System.Runtime.Serialization.SerializationException or IOException)
            {
                return new MatrixRow { Workload = workload.Name, Executor = kind, Workers = executor.MaxConcurrency, CrashSurvived = checks.Crash, HangStopped = checks.Hang, Note = $"failed: {ex.GetType().Name}: {ex.Message}" };
            }
        }
    }

    /// <summary>
    /// One warm-up run, then <see cref="MatrixSettings.Runs"/> timed runs; memory is the peak over all of them. Only
    /// <see cref="MatrixWorkload.RunAsync"/> is timed: the preparation before a run and the check after it are not.
    /// </summary>
    private async Task<(string Answer, TimeSpan Median, long? Memory, int? Processes)> MeasureAsync(MatrixWorkload workload, IWorkExecutor? executor, CancellationToken cancellationToken)
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        await using var sampler = MemorySampler.IsSupported ? MemorySampler.Start() : null;
        workload.PrepareRun();
        var answer = workload.AnswerAfterRun(await workload.RunAsync(executor, cancellationToken));
        var times = new TimeSpan[settings.Runs];
        for (var i = 0; i < times.Length; i++)
        {
            workload.PrepareRun();
            var started = Stopwatch.GetTimestamp();
            var result = await workload.RunAsync(executor, cancellationToken);
            times[i] = Stopwatch.GetElapsedTime(started);
            var again = workload.AnswerAfterRun(result);
            if (again != answer)
            {
                answer = $"{answer} / then {again}";
            }
        }

        Array.Sort(times);
        (long Bytes, int Processes)? memory = sampler is null ? null : await sampler.StopAsync();
        return (answer, times[times.Length / 2], memory?.Bytes, memory?.Processes);
    }

    /// <summary>
    /// Whether a crashing item left the run alive, and whether a hung item could be stopped. Executors whose
    /// capabilities say no are not put to the test (that would take the sample down, or hang it): the answer
    /// comes from <see cref="IWorkExecutor.Capabilities"/>. The others are tested for real.
    /// </summary>
    private async Task<(string? Crash, string? Hang, string? Problem)> CheckFailuresAsync(string kind, CancellationToken cancellationToken)
    {
        ExecutorCapabilities capabilities;
        string crash;
        var (lease, problem) = factory.TryCreate(kind);
        if (lease is null)
        {
            return (null, null, problem);
        }

        await using (lease)
        {
            capabilities = lease.Executor.Capabilities;
            crash = capabilities.HasFlag(ExecutorCapabilities.IsolatesFailures)
                ? await CrashAsync(lease.Executor, cancellationToken)
                : "no (would take the process down)";
        }

        string hang;
        if (!capabilities.HasFlag(ExecutorCapabilities.HardCancellation))
        {
            hang = "no (a running thread cannot be stopped)";
        }
        else
        {
            var timeout = settings.HangTimeout.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
            var (timed, timedProblem) = factory.TryCreate(kind, new Dictionary<string, string?> { ["ItemTimeout"] = timeout });
            if (timed is null)
            {
                hang = $"not tested: {timedProblem}";
            }
            else
            {
                await using (timed)
                {
                    hang = await HangAsync(timed.Executor, cancellationToken);
                }
            }
        }

        return (crash, hang, null);
    }

    private static async Task<string> CrashAsync(IWorkExecutor executor, CancellationToken cancellationToken)
    {
        var workload = new CrashingWorkload { CrashOn = 1, OwnerProcessId = Environment.ProcessId };
        try
        {
            var outcomes = await executor.MapOutcomesAsync(workload, [0, 1, 2, 3], new MapOptions { BatchSize = 1 }, cancellationToken)
                .ToListAsync(cancellationToken).AsTask().WaitAsync(CheckTimeout, cancellationToken);
            var crashed = outcomes.Single(o => o.Index == 1).Exception as WorkerCrashedException;
            var othersOk = outcomes.Where(o => o.Index != 1).All(o => o.Succeeded && o.Result == o.Index * 2);
            var after = await executor.SubmitAsync(workload, 5, cancellationToken).WaitAsync(CheckTimeout, cancellationToken);
            return crashed is not null && othersOk && after == 10
                ? $"yes (WorkerCrashedException, exit {crashed.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}; other items ok)"
                : $"no: crash outcome {outcomes.Single(o => o.Index == 1).Exception?.GetType().Name ?? "none"}, others ok: {othersOk}";
        }
        catch (Exception ex) when (ex is TimeoutException or WorkloadException or WorkerCrashedException or InvalidOperationException)
        {
            return $"no: {ex.GetType().Name}: {ex.Message}";
        }
    }

    private static async Task<string> HangAsync(IWorkExecutor executor, CancellationToken cancellationToken)
    {
        var workload = new HangingWorkload { HangOn = 0, OwnerProcessId = Environment.ProcessId };
        var started = Stopwatch.GetTimestamp();
        try
        {
            await executor.SubmitAsync(workload, 0, cancellationToken).WaitAsync(CheckTimeout, cancellationToken);
            return "no: the hung item returned";
        }
        catch (WorkTimeoutException)
        {
            var stoppedAfter = Stopwatch.GetElapsedTime(started);
            try
            {
                var after = await executor.SubmitAsync(workload, 7, cancellationToken).WaitAsync(CheckTimeout, cancellationToken);
                return after == 7
                    ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"yes (WorkTimeoutException after {stoppedAfter.TotalSeconds:F1} s; next item ok)")
                    : "stopped, but the next item failed";
            }
            catch (Exception ex) when (ex is TimeoutException or WorkloadException or WorkerCrashedException or WorkTimeoutException)
            {
                return $"stopped, but the next item failed: {ex.GetType().Name}";
            }
        }
        catch (TimeoutException)
        {
            return $"no: still running after {CheckTimeout.TotalSeconds:F0} s";
        }
    }
}
