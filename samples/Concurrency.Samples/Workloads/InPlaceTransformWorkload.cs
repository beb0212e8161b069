using System.Globalization;
using Concurrency.SharedMemory;

namespace Concurrency.Samples.Workloads;

/// <summary>One chunk of a buffer in shared memory, as a writable handle: what an executor that can reach the buffer without a copy sends.</summary>
/// <param name="Index">The chunk's position in the buffer.</param>
/// <param name="Values">A writable handle to the chunk's values in the buffer's shared segment.</param>
public sealed record SharedBufferChunk(int Index, SharedArrayHandle<double> Values);

/// <summary>One chunk of a buffer, by value: the input carries a copy of the values, the result carries them back transformed.</summary>
/// <param name="Index">The chunk's position in the buffer.</param>
/// <param name="Values">The chunk's values.</param>
public sealed record BufferChunk(int Index, double[] Values);

/// <summary>What the in-place transform returns for a chunk: only how many values it rewrote, the values stay where they are.</summary>
/// <param name="Index">The chunk's position in the buffer.</param>
/// <param name="Count">How many values were rewritten.</param>
public sealed record BufferChunkSummary(int Index, int Count);

/// <summary>The checksum of a whole buffer: its length, its mean and a hash of every value's bits, so that two buffers with the same checksum hold the same values.</summary>
/// <param name="Count">How many values the buffer holds.</param>
/// <param name="Sum">The sum of the values, added in order.</param>
/// <param name="Hash">FNV-1a over the 64 bits of every value, in order.</param>
public readonly record struct BufferChecksum(long Count, double Sum, ulong Hash)
{
    /// <summary>Gets the checksum as the matrix shows it, e.g. <c>4,000,000 values, mean 2.141586, hash 0123456789ABCDEF</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Count:N0} values, mean {Sum / Math.Max(1, Count):F6}, hash {Hash:X16}");
}

/// <summary>The in-place transform: the pipeline's non-linear map, written back over the values it reads.</summary>
public static class BufferTransform
{
    /// <summary>How many values are transformed between two looks at the cancellation token.</summary>
    public const int BlockLength = 4096;

    /// <summary>Applies the map to one value <paramref name="iterations"/> times.</summary>
    /// <param name="value">The value.</param>
    /// <param name="iterations">How many times the map is applied: the CPU cost per value.</param>
    /// <returns>The transformed value.</returns>
    public static double Map(double value, int iterations)
    {
        var y = value;
        for (var k = 0; k < iterations; k++)
        {
            y = (Math.Sin(y) * 0.5) + Math.Sqrt(Math.Abs(y) + 1.0);
        }

        return y;
    }

    /// <summary>Replaces every value of <paramref name="values"/> by its transform.</summary>
    /// <param name="values">The values, rewritten in place.</param>
    /// <param name="iterations">How many times the map is applied to each value.</param>
    /// <param name="cancellationToken">Checked once per block of <see cref="BlockLength"/> values.</param>
    public static void Apply(Span<double> values, int iterations, CancellationToken cancellationToken)
    {
        for (var start = 0; start < values.Length; start += BlockLength)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var block = values.Slice(start, Math.Min(BlockLength, values.Length - start));
            for (var i = 0; i < block.Length; i++)
            {
                block[i] = Map(block[i], iterations);
            }
        }
    }

    /// <summary>Computes the checksum of a whole buffer, always the same way (in order, on the calling thread).</summary>
    /// <param name="values">The buffer.</param>
    /// <returns>The checksum.</returns>
    public static BufferChecksum Checksum(ReadOnlySpan<double> values)
    {
        const ulong offsetBasis = 14695981039346656037, prime = 1099511628211;
        var hash = offsetBasis;
        double sum = 0;
        foreach (var value in values)
        {
            sum += value;
            hash = (hash ^ (ulong)BitConverter.DoubleToInt64Bits(value)) * prime;
        }

        return new BufferChecksum(values.Length, sum, hash);
    }
}

/// <summary>
/// The in-place transform on a chunk in shared memory: the workload opens its handle where it runs — a thread of the
/// owner's process or a worker process — and rewrites the values in the segment; only a count comes back.
/// </summary>
public sealed class InPlaceTransformWorkload : IWorkload<SharedBufferChunk, BufferChunkSummary>
{
    /// <summary>The default number of times the map is applied to each value.</summary>
    public const int DefaultIterations = 2;

    /// <summary>Gets or sets how many times the map is applied to each value.</summary>
    /// <value>The default value is <see cref="DefaultIterations"/>.</value>
    public int Iterations { get; set; } = DefaultIterations;

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">The chunk's handle is read-only.</exception>
    public BufferChunkSummary Execute(SharedBufferChunk input, WorkContext context)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(context);
        using var view = input.Values.Open();
        BufferTransform.Apply(view.Span, Iterations, context.CancellationToken);
        return new BufferChunkSummary(input.Index, view.Length);
    }
}

/// <summary>
/// The same transform on a chunk that travelled by value (executors without shared memory): the workload rewrites the
/// input's array — in a worker process, its own copy — and sends it back, for the caller to copy into place.
/// </summary>
public sealed class CopiedTransformWorkload : IWorkload<BufferChunk, BufferChunk>
{
    /// <summary>Gets or sets how many times the map is applied to each value.</summary>
    /// <value>The default value is <see cref="InPlaceTransformWorkload.DefaultIterations"/>.</value>
    public int Iterations { get; set; } = InPlaceTransformWorkload.DefaultIterations;

    /// <inheritdoc/>
    public BufferChunk Execute(BufferChunk input, WorkContext context)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(context);
        BufferTransform.Apply(input.Values, Iterations, context.CancellationToken);
        return input;
    }
}
