using System.Buffers;
using System.Diagnostics;
using System.Reflection;
using Concurrency.Advisor.Internal;
using Concurrency.Processes;

namespace Concurrency.Advisor;

/// <summary>
/// Measures a workload on sample inputs — compute time per item in this process, serialized size and
/// serialization time with the process pool's serializer, and the speedup of each executor it is given — and
/// recommends an executor with its reasons, in the terms of the threads / processes / shared-memory decision matrix.
/// </summary>
/// <remarks>
/// The sample inputs run in this process (to measure compute time) and on every executor given: choose inputs
/// that do not crash. Whether the workload may crash or hang is not measured but told, through
/// <see cref="ExecutorAdvisorOptions"/>. The executors are used, not disposed.
/// </remarks>
public sealed class ExecutorAdvisor
{
    private readonly ExecutorAdvisorOptions _options;
    private readonly IWorkSerializer _serializer;

    /// <summary>Initializes a new instance of the <see cref="ExecutorAdvisor"/> class.</summary>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="ExecutorAdvisorOptions.MeasurementRuns"/> is less than 1.</exception>
    public ExecutorAdvisor(ExecutorAdvisorOptions? options = null)
    {
        _options = options ?? new ExecutorAdvisorOptions();
        _options.ThrowIfInvalid();
        _serializer = _options.Serializer ?? new MessagePackWorkSerializer();
    }

    /// <summary>Measures <paramref name="workload"/> on <paramref name="sampleInputs"/> and recommends an executor.</summary>
    /// <typeparam name="TInput">The type of the inputs.</typeparam>
    /// <typeparam name="TResult">The type of the results.</typeparam>
    /// <param name="workload">The workload.</param>
    /// <param name="sampleInputs">Inputs representative of real ones, at least one; enough of them to keep every worker busy for the speedups to mean something.</param>
    /// <param name="executors">The executors to measure; may be empty (then no speedup is measured).</param>
    /// <param name="cancellationToken">Stops the measuring.</param>
    /// <returns>The recommendation, its reasons, and the measurements.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="sampleInputs"/> is empty.</exception>
    public async Task<ExecutorRecommendation> AdviseAsync<TInput, TResult>(
        IWorkload<TInput, TResult> workload,
        IReadOnlyList<TInput> sampleInputs,
        IEnumerable<IWorkExecutor> executors,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(sampleInputs);
        ArgumentNullException.ThrowIfNull(executors);
        if (sampleInputs.Count == 0)
        {
            throw new ArgumentException("The advisor needs at least one sample input to measure the workload on.", nameof(sampleInputs));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var (sequential, results, computeProblem) = MeasureCompute(workload, sampleInputs, cancellationToken);
        var (bytes, serialization, serializationProblem) = MeasureSerialization(sampleInputs, results);
        var workerProblem = WorkerProblem(workload.GetType());

        var measured = new List<ExecutorMeasurement>();
        foreach (var executor in executors)
        {
            ArgumentNullException.ThrowIfNull(executor);
            measured.Add(await MeasureExecutorAsync(executor, workload, sampleInputs, sequential, workerProblem ?? serializationProblem, cancellationToken).ConfigureAwait(false));
        }

        var count = Math.Max(1, results.Count);
        return AdvisorReasoning.Recommend(new WorkloadMeasurements
        {
            ComputePerItem = sequential / count,
            SerializedBytesPerItem = bytes,
            SerializationPerItem = serialization,
            SerializationProblem = serializationProblem,
            WorkerProblem = workerProblem,
            ComputeProblem = computeProblem,
            MayCrash = _options.WorkloadMayCrash,
            MayHang = _options.WorkloadMayHang,
            Executors = measured,
        });
    }

    private (TimeSpan Median, List<TResult> Results, string? Problem) MeasureCompute<TInput, TResult>(IWorkload<TInput, TResult> workload, IReadOnlyList<TInput> inputs, CancellationToken cancellationToken)
    {
        var context = new WorkContext(workerId: 0, cancellationToken);
        var results = new List<TResult>(inputs.Count);
        string? problem = null;
        var times = new TimeSpan[_options.MeasurementRuns];
        for (var run = -1; run < times.Length; run++)
        {
            results.Clear();
            var started = Stopwatch.GetTimestamp();
            foreach (var input in inputs)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    results.Add(workload.Execute(input, context));
                }
#pragma warning disable CA1031 // The workload's own failure is a finding to report, whatever its type.
                catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
                {
                    problem ??= $"{ex.GetType().FullName}: {ex.Message}";
                }
            }

            if (run >= 0)
            {
                times[run] = Stopwatch.GetElapsedTime(started);
            }
        }

        return (Median(times), results, problem);
    }

    private (long Bytes, TimeSpan Time, string? Problem) MeasureSerialization<TInput, TResult>(IReadOnlyList<TInput> inputs, List<TResult> results)
    {
        var buffer = new ArrayBufferWriter<byte>();
        long bytes = 0;
        var times = new TimeSpan[_options.MeasurementRuns];
        try
        {
            for (var run = -1; run < times.Length; run++)
            {
                bytes = 0;
                var started = Stopwatch.GetTimestamp();
                foreach (var input in inputs)
                {
                    bytes += RoundTrip(buffer, input);
                }

                foreach (var result in results)
                {
                    bytes += RoundTrip(buffer, result);
                }

                if (run >= 0)
                {
                    times[run] = Stopwatch.GetElapsedTime(started);
                }
            }
        }
#pragma warning disable CA1031 // Any serializer failure means the data cannot travel to a worker: report it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            var inner = ex.InnerException ?? ex;
            return (0, TimeSpan.Zero, $"{typeof(TInput).Name} or {typeof(TResult).Name} cannot be serialized ({inner.GetType().Name}: {inner.Message})");
        }

        return (bytes / inputs.Count, Median(times) / inputs.Count, null);
    }

    private int RoundTrip<T>(ArrayBufferWriter<byte> buffer, T value)
    {
        buffer.ResetWrittenCount();
        _serializer.Serialize(buffer, value);
        _ = _serializer.Deserialize<T>(buffer.WrittenMemory);
        return buffer.WrittenCount;
    }

    private async Task<ExecutorMeasurement> MeasureExecutorAsync<TInput, TResult>(
        IWorkExecutor executor, IWorkload<TInput, TResult> workload, IReadOnlyList<TInput> inputs, TimeSpan sequential, string? workerProblem, CancellationToken cancellationToken)
    {
        if (workerProblem is not null && !executor.Capabilities.HasFlag(ExecutorCapabilities.SharesMemory))
        {
            return new ExecutorMeasurement(executor.Name, executor.Capabilities, null, workerProblem);
        }

        var times = new TimeSpan[_options.MeasurementRuns];
        try
        {
            for (var run = -1; run < times.Length; run++)
            {
                var started = Stopwatch.GetTimestamp();
                await foreach (var _ in executor.MapAsync(workload, inputs, cancellationToken: cancellationToken).ConfigureAwait(false))
                {
                }

                if (run >= 0)
                {
                    times[run] = Stopwatch.GetElapsedTime(started);
                }
            }
        }
        catch (Exception ex) when (ex is WorkloadException or WorkerCrashedException or WorkTimeoutException or InvalidOperationException or NotSupportedException or System.Runtime.Serialization.SerializationException)
        {
            return new ExecutorMeasurement(executor.Name, executor.Capabilities, null, $"{ex.GetType().Name}: {ex.Message}");
        }

        var median = Median(times);
        return new ExecutorMeasurement(executor.Name, executor.Capabilities, median > TimeSpan.Zero ? sequential / median : null, median > TimeSpan.Zero ? null : "too fast to time");
    }

    /// <summary>Says why a worker process could not create the workload (it creates it by its type name, with its public parameterless constructor), or <see langword="null"/>.</summary>
    private static string? WorkerProblem(Type type)
    {
        if (!type.IsVisible)
        {
            return $"the workload type {type.FullName} is not public";
        }

        if (type.IsAbstract || type.ContainsGenericParameters)
        {
            return $"the workload type {type.FullName} cannot be created";
        }

        return type.IsValueType || type.GetConstructor(BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes) is not null
            ? null
            : $"the workload type {type.FullName} has no public parameterless constructor";
    }

    private static TimeSpan Median(TimeSpan[] times)
    {
        var sorted = (TimeSpan[])times.Clone();
        Array.Sort(sorted);
        return sorted[sorted.Length / 2];
    }
}
