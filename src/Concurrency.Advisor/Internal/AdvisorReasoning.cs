using System.Globalization;

namespace Concurrency.Advisor.Internal;

/// <summary>
/// The advisor's reasoning: a pure function of <see cref="WorkloadMeasurements"/> to an
/// <see cref="ExecutorRecommendation"/>, kept apart from the measuring so that it can be tested on
/// measurements whose right answer is known.
/// </summary>
/// <remarks>
/// The rules, in order: a workload that may crash or hang needs an executor that isolates failures
/// (Processes; SharedMemory when serialization is costly). A workload that cannot run in a worker (its type
/// or its data cannot travel) runs on Threads. Tiny items go to Threads with batching. Items whose
/// serialization is a large share of their time go to Threads, or SharedMemory for isolation. Otherwise
/// Threads costs least, and the isolating executors are listed as alternatives. Measured speedups are then
/// reported, and an executor that failed to run the workload is replaced by the next that fits.
/// </remarks>
internal static class AdvisorReasoning
{
    public const string Threads = "Threads";
    public const string Processes = "Processes";
    public const string SharedMemory = "SharedMemory";
    public const string Cluster = "Cluster";

    /// <summary>Below this compute time per item, a worker process spends more on the trip than on the work.</summary>
    public static readonly TimeSpan TinyItem = TimeSpan.FromMicroseconds(200);

    /// <summary>Serialization at or above this share of an item's compute time counts as costly.</summary>
    public const double CostlySerializationShare = 0.2;

    /// <summary>An item whose input and result weigh this much or more counts as large whatever its share.</summary>
    public const long LargeItemBytes = 1 << 20;

    /// <summary>A speedup below this is no gain.</summary>
    private const double NoGain = 1.1;

    public static string KindOf(ExecutorCapabilities capabilities) =>
        capabilities.HasFlag(ExecutorCapabilities.SpansMachines) ? Cluster
        : capabilities.HasFlag(ExecutorCapabilities.SharesMemory) ? Threads
        : capabilities.HasFlag(ExecutorCapabilities.ZeroCopyBuffers) ? SharedMemory
        : capabilities.HasFlag(ExecutorCapabilities.IsolatesFailures) ? Processes
        : Threads;

    public static ExecutorRecommendation Recommend(WorkloadMeasurements m)
    {
        ArgumentNullException.ThrowIfNull(m);
        var reasons = new List<string>();
        string executor;
        List<string> alternatives;
        var workerProblem = m.WorkerProblem ?? m.SerializationProblem;
        var costly = m.SerializationShare >= CostlySerializationShare || m.SerializedBytesPerItem >= LargeItemBytes;
        var share = string.Create(CultureInfo.InvariantCulture, $"serialization is {m.SerializationShare * 100:F0}% of item time ({Bytes(m.SerializedBytesPerItem)} per item, {Time(m.SerializationPerItem)} to serialize and read back, {Time(m.ComputePerItem)} of compute)");

        if (m.ComputeProblem is not null)
        {
            reasons.Add($"the workload failed on a sample input ({m.ComputeProblem}): the measurements cover the items that ran.");
        }

        if (m.MayCrash || m.MayHang)
        {
            if (workerProblem is not null)
            {
                executor = Threads;
                alternatives = [];
                reasons.Add($"the workload may {(m.MayCrash ? "crash" : "hang")}, which calls for Processes, but it cannot run in a worker: {workerProblem}. Fix that to get isolation; until then Threads, where a crash takes the whole process down and a hung item cannot be stopped.");
            }
            else
            {
                executor = costly ? SharedMemory : Processes;
                alternatives = [costly ? Processes : SharedMemory];
                if (m.MayCrash)
                {
                    reasons.Add("the workload may crash the process: Processes — a crash fails that one item (WorkerCrashedException) and the worker is replaced; on Threads it takes the process down.");
                }

                if (m.MayHang)
                {
                    reasons.Add("an item may hang, ignoring its token: Processes with ItemTimeout — the worker is killed and replaced (WorkTimeoutException); a thread cannot be stopped.");
                }

                if (costly)
                {
                    reasons.Add($"{share}: SharedMemory — it keeps Processes' isolation and passes large buffers as SharedArrayHandle<T>, without a copy.");
                }
            }
        }
        else if (workerProblem is not null)
        {
            executor = Threads;
            alternatives = [];
            reasons.Add($"the workload cannot run in a worker process: {workerProblem}. Threads: they share memory and serialize nothing.");
        }
        else if (m.ComputePerItem < TinyItem)
        {
            executor = Threads;
            alternatives = [];
            reasons.Add($"items are tiny ({Time(m.ComputePerItem)} of compute each): Threads, with batching (MapAsync batches automatically, or set MapOptions.BatchSize) — a worker process would spend more on serialization and the trip than on the work.");
        }
        else if (costly)
        {
            executor = Threads;
            alternatives = [SharedMemory];
            reasons.Add($"{share}: SharedMemory or Threads — Threads share the data, SharedMemory maps it into isolated workers without a copy; Processes would copy it for every item.");
        }
        else
        {
            executor = Threads;
            alternatives = [Processes, SharedMemory];
            reasons.Add($"compute-bound items ({Time(m.ComputePerItem)} each) that serialize cheaply ({(m.SerializationShare * 100).ToString("F0", CultureInfo.InvariantCulture)}% of item time): every executor scales; Threads cost least, Processes add failure isolation for little.");
        }

        var speedups = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var measured in m.Executors)
        {
            if (measured.Speedup is { } speedup)
            {
                speedups[measured.Name] = speedup;
                reasons.Add(string.Create(CultureInfo.InvariantCulture, $"measured: {measured.Name} ({measured.Kind}) ran the sample {speedup:F2}x as fast as sequential."));
            }
            else
            {
                reasons.Add($"measured: {measured.Name} ({measured.Kind}) could not run the workload: {measured.Problem ?? "no measurement"}.");
            }
        }

        // An executor of the recommended kind that was tried and failed gives way to the next kind that fits and ran.
        var failedKinds = m.Executors.Where(e => e.Speedup is null).Select(e => e.Kind).ToHashSet(StringComparer.Ordinal);
        var ranKinds = m.Executors.Where(e => e.Speedup is not null).Select(e => e.Kind).ToHashSet(StringComparer.Ordinal);
        if (failedKinds.Contains(executor) && !ranKinds.Contains(executor) && alternatives.FirstOrDefault(ranKinds.Contains) is { } replacement)
        {
            reasons.Add($"{executor} failed to run the workload here, so {replacement} is recommended instead.");
            alternatives.Remove(replacement);
            alternatives.Insert(0, executor);
            executor = replacement;
        }
        else if (m.Executors.Count > 0 && !m.Executors.Any(e => e.Kind == executor))
        {
            reasons.Add($"{executor} was not measured here (not available to this application).");
        }

        if (speedups.Count > 0 && speedups.Values.Max() < NoGain)
        {
            reasons.Add(string.Create(CultureInfo.InvariantCulture, $"no executor beat sequential by 10% on these inputs (best {speedups.Values.Max():F2}x): too few or too small items for parallelism to pay; give it more, larger items or run it sequentially."));
        }

        return new ExecutorRecommendation(executor, alternatives, reasons, m.ComputePerItem, m.SerializedBytesPerItem, m.SerializationPerItem, speedups);
    }

    internal static string Time(TimeSpan time) => time.TotalMilliseconds >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{time.TotalMilliseconds:N1} ms")
        : string.Create(CultureInfo.InvariantCulture, $"{time.TotalMicroseconds:N1} µs");

    internal static string Bytes(long bytes) => bytes >= 1 << 20
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):N1} MiB")
        : bytes >= 1024 ? string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:N1} KiB") : string.Create(CultureInfo.InvariantCulture, $"{bytes} B");
}
