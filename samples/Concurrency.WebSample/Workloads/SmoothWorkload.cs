using Concurrency.SharedMemory;

namespace Concurrency.WebSample.Workloads;

/// <summary>One chunk of a signal in shared memory, given by handle: the bytes stay where they are.</summary>
/// <param name="Index">The chunk's position.</param>
/// <param name="Values">A writable handle to the chunk's values.</param>
public sealed record SignalChunk(int Index, SharedArrayHandle<double> Values);

/// <summary>A chunk's summary: its position and the sum of its values after smoothing.</summary>
/// <param name="Index">The chunk's position.</param>
/// <param name="Sum">The sum of the smoothed values.</param>
public sealed record ChunkSum(int Index, double Sum);

/// <summary>Smooths a chunk of a shared signal in place (each value becomes the mean of itself and its neighbours in the chunk) and sums it.</summary>
/// <remarks>
/// The workload opens the handle where it runs: the caller's memory on threads, the same mapping in a worker process.
/// Only the small summary travels back.
/// </remarks>
public sealed class SmoothWorkload : IWorkload<SignalChunk, ChunkSum>
{
    /// <inheritdoc/>
    public ChunkSum Execute(SignalChunk input, WorkContext context)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var view = input.Values.Open();
        return new ChunkSum(input.Index, Smooth(view.Span));
    }

    /// <summary>Replaces each value by the mean of itself and its neighbours (the ends repeat themselves), and returns the sum.</summary>
    public static double Smooth(Span<double> values)
    {
        var previous = values.IsEmpty ? 0 : values[0];
        var sum = 0.0;
        for (var i = 0; i < values.Length; i++)
        {
            var current = values[i];
            var next = i + 1 < values.Length ? values[i + 1] : current;
            values[i] = (previous + current + next) / 3;
            sum += values[i];
            previous = current;
        }

        return sum;
    }

    /// <summary>The signal the sample smooths: a slow wave plus a saw tooth, the same on every run.</summary>
    public static void Fill(Span<double> values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = Math.Sin(i * 0.001) + (i % 7);
        }
    }
}
