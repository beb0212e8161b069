using Concurrency.SharedMemory;

namespace Concurrency.Samples.Workloads;

/// <summary>One chunk of the pipeline's dataset, copied into the input: what an executor that serializes inputs sends.</summary>
/// <param name="Index">The chunk's position in the dataset.</param>
/// <param name="Values">The chunk's values.</param>
public sealed record PipelineChunk(int Index, double[] Values);

/// <summary>One chunk of the pipeline's dataset as a handle to shared memory: what an executor with zero-copy buffers sends.</summary>
/// <param name="Index">The chunk's position in the dataset.</param>
/// <param name="Values">A read-only handle to the chunk's values in the dataset's shared segment.</param>
public sealed record SharedPipelineChunk(int Index, SharedArrayHandle<double> Values);

/// <summary>What the transform returns for a chunk: a few statistics and the transformed values averaged in blocks (what the I/O phase stores).</summary>
/// <param name="Index">The chunk's position in the dataset.</param>
/// <param name="Count">How many values the chunk had.</param>
/// <param name="Min">The smallest transformed value.</param>
/// <param name="Max">The largest transformed value.</param>
/// <param name="Sum">The sum of the transformed values.</param>
/// <param name="Blocks">The mean of each block of <see cref="PipelineTransform.BlockLength"/> transformed values.</param>
public sealed record ChunkSummary(int Index, int Count, double Min, double Max, double Sum, double[] Blocks);

/// <summary>The pipeline's CPU phase: an iterated non-linear map over every value of a chunk, summarised.</summary>
public static class PipelineTransform
{
    /// <summary>How many transformed values one stored block averages.</summary>
    public const int BlockLength = 64;

    /// <summary>Transforms <paramref name="values"/> and summarises them.</summary>
    /// <param name="index">The chunk's index.</param>
    /// <param name="values">The values.</param>
    /// <param name="iterations">How many times the map is applied to each value: the CPU cost per value.</param>
    /// <param name="cancellationToken">Checked once per block.</param>
    /// <returns>The summary.</returns>
    public static ChunkSummary Run(int index, ReadOnlySpan<double> values, int iterations, CancellationToken cancellationToken)
    {
        var blocks = new double[(values.Length + BlockLength - 1) / BlockLength];
        double min = double.MaxValue, max = double.MinValue, sum = 0;
        for (var b = 0; b < blocks.Length; b++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var end = Math.Min(values.Length, (b + 1) * BlockLength);
            double blockSum = 0;
            for (var i = b * BlockLength; i < end; i++)
            {
                var y = values[i];
                for (var k = 0; k < iterations; k++)
                {
                    y = (Math.Sin(y) * 0.5) + Math.Sqrt(Math.Abs(y) + 1.0);
                }

                blockSum += y;
                min = Math.Min(min, y);
                max = Math.Max(max, y);
            }

            sum += blockSum;
            blocks[b] = blockSum / (end - (b * BlockLength));
        }

        return new ChunkSummary(index, values.Length, min, max, sum, blocks);
    }

    /// <summary>Makes the dataset: <paramref name="length"/> pseudo-random values in [0, 10), the same every time.</summary>
    /// <param name="destination">Where to write the values.</param>
    public static void Fill(Span<double> destination)
    {
        var random = new Random(20_26);
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = random.NextDouble() * 10;
        }
    }
}

/// <summary>The pipeline's CPU phase on a copied chunk (threads, processes).</summary>
public sealed class PipelineWorkload : IWorkload<PipelineChunk, ChunkSummary>
{
    /// <summary>Gets or sets how many times the map is applied to each value.</summary>
    /// <value>The default value is 24.</value>
    public int Iterations { get; set; } = 24;

    /// <inheritdoc/>
    public ChunkSummary Execute(PipelineChunk input, WorkContext context)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(context);
        return PipelineTransform.Run(input.Index, input.Values, Iterations, context.CancellationToken);
    }
}

/// <summary>The pipeline's CPU phase on a chunk in shared memory (executors with <see cref="ExecutorCapabilities.ZeroCopyBuffers"/>): the worker maps the segment, nothing is copied.</summary>
public sealed class SharedPipelineWorkload : IWorkload<SharedPipelineChunk, ChunkSummary>
{
    /// <summary>Gets or sets how many times the map is applied to each value.</summary>
    /// <value>The default value is 24.</value>
    public int Iterations { get; set; } = 24;

    /// <inheritdoc/>
    public ChunkSummary Execute(SharedPipelineChunk input, WorkContext context)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(context);
        using var view = input.Values.Open();
        return PipelineTransform.Run(input.Index, view.ReadOnlySpan, Iterations, context.CancellationToken);
    }
}
