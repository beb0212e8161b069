using System.Globalization;
using System.Text;

namespace Concurrency.Advisor;

/// <summary>What <see cref="ExecutorAdvisor"/> recommends, with its reasons and the measurements they rest on.</summary>
public sealed class ExecutorRecommendation
{
    internal ExecutorRecommendation(
        string executor,
        IReadOnlyList<string> alternatives,
        IReadOnlyList<string> reasons,
        TimeSpan computeTimePerItem,
        long serializedBytesPerItem,
        TimeSpan serializationTimePerItem,
        IReadOnlyDictionary<string, double> speedups)
    {
        Executor = executor;
        Alternatives = alternatives;
        Reasons = reasons;
        ComputeTimePerItem = computeTimePerItem;
        SerializedBytesPerItem = serializedBytesPerItem;
        SerializationTimePerItem = serializationTimePerItem;
        Speedups = speedups;
    }

    /// <summary>Gets the recommended executor kind, as <c>Executor:Kind</c> takes it: <c>Threads</c>, <c>Processes</c> or <c>SharedMemory</c>.</summary>
    public string Executor { get; }

    /// <summary>Gets the other kinds that also fit, best first; empty when only <see cref="Executor"/> fits.</summary>
    public IReadOnlyList<string> Alternatives { get; }

    /// <summary>Gets the reasons, in the terms of the decision matrix (isolation, serialization cost, item size, measured speedup).</summary>
    public IReadOnlyList<string> Reasons { get; }

    /// <summary>Gets the measured compute time of one item, in this process.</summary>
    public TimeSpan ComputeTimePerItem { get; }

    /// <summary>Gets the bytes one item costs an isolating executor: its input and its result, serialized.</summary>
    public long SerializedBytesPerItem { get; }

    /// <summary>Gets the time to serialize and deserialize one item's input and result.</summary>
    public TimeSpan SerializationTimePerItem { get; }

    /// <summary>Gets the measured speedup over sequential of each executor, by executor name; executors that could not run the workload are absent.</summary>
    public IReadOnlyDictionary<string, double> Speedups { get; }

    /// <summary>Returns the recommendation and its reasons, one per line.</summary>
    /// <returns>A multi-line text.</returns>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Recommended: {Executor}");
        if (Alternatives.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $" (also fits: {string.Join(", ", Alternatives)})");
        }

        foreach (var reason in Reasons)
        {
            text.AppendLine().Append("- ").Append(reason);
        }

        return text.ToString();
    }
}
