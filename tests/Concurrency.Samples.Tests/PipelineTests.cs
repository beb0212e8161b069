using Concurrency.Processes;
using Concurrency.Samples.Matrix;
using Concurrency.Samples.Workloads;
using Concurrency.Testing;
using Concurrency.Tests;
using Concurrency.Threads;

namespace Concurrency.Samples.Tests;

/// <summary>The pipeline takes the zero-copy path on any executor whose capabilities include ZeroCopyBuffers, with the same answer.</summary>
public sealed class PipelineTests : IDisposable
{
    private readonly string _output = Path.Combine(Path.GetTempPath(), $"concurrency-pipeline-test-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_output))
        {
            Directory.Delete(_output, recursive: true);
        }
    }

    [Fact]
    public async Task RunAsync_ZeroCopyExecutor_SameAnswerAsSequentialAndOnlyHandlesOnTheWire()
    {
        await using var threads = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxConcurrency = 2 });
        var zeroCopy = new ZeroCopyExecutor(threads);
        string sequential, shared;
        long bytesPerItem, copiedBytesPerItem;
        using (var pipeline = new PipelineMatrixWorkload(scale: 0.01, _output, iterations: 2))
        {
            sequential = await pipeline.RunAsync(null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
            shared = await pipeline.RunAsync(zeroCopy, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
            bytesPerItem = pipeline.SerializedBytesPerItem(zeroCopy, new MessagePackWorkSerializer());
            copiedBytesPerItem = pipeline.SerializedBytesPerItem(new ZeroCopyExecutor(threads, ExecutorCapabilities.IsolatesFailures), new MessagePackWorkSerializer());
        }

        Assert.Equal(sequential, shared);
        Assert.StartsWith("16 chunks, 320 rows, mean ", sequential, StringComparison.Ordinal); // 20,000 values: 1,250 per chunk, 20 blocks of 64 each
        var resultBytes = copiedBytesPerItem - (1250 * sizeof(double));
        Assert.InRange(bytesPerItem - resultBytes, 1, 200); // a handle (segment name, id, offset, length), not 10 KB of doubles
        Assert.Null(SharedMemoryLeaks.Describe()); // this process's files: other test runs may share the machine
    }

    [Fact]
    public void SharedPipelineWorkload_SameChunk_SameSummaryAsCopiedChunk()
    {
        var data = new double[1000];
        PipelineTransform.Fill(data);
        using var shared = Concurrency.SharedMemory.SharedArray<double>.Create(data.Length);
        data.CopyTo(shared.AsSpan());
        var context = new WorkContext(0);

        var copied = new PipelineWorkload { Iterations = 3 }.Execute(new PipelineChunk(0, data), context);
        var mapped = new SharedPipelineWorkload { Iterations = 3 }.Execute(new SharedPipelineChunk(0, shared.Handle.AsReadOnly()), context);

        Assert.Equal(copied.Sum, mapped.Sum);
        Assert.Equal(copied.Blocks, mapped.Blocks);
    }

    /// <summary>A thread executor that claims other capabilities, to drive the code paths of executors that do not exist yet.</summary>
    private sealed class ZeroCopyExecutor(IWorkExecutor inner, ExecutorCapabilities capabilities = ExecutorCapabilities.IsolatesFailures | ExecutorCapabilities.ZeroCopyBuffers) : IWorkExecutor
    {
        public string Name => "ZeroCopyTest";

        public ExecutorCapabilities Capabilities => capabilities;

        public int MaxConcurrency => inner.MaxConcurrency;

        public Task<TResult> SubmitAsync<TInput, TResult>(IWorkload<TInput, TResult> workload, TInput input, CancellationToken cancellationToken = default) =>
            inner.SubmitAsync(workload, input, cancellationToken);

        public IAsyncEnumerable<TResult> MapAsync<TInput, TResult>(IWorkload<TInput, TResult> workload, IEnumerable<TInput> inputs, MapOptions? options = null, CancellationToken cancellationToken = default) =>
            inner.MapAsync(workload, inputs, options, cancellationToken);

        public IAsyncEnumerable<TResult> MapAsync<TInput, TResult>(IWorkload<TInput, TResult> workload, IAsyncEnumerable<TInput> inputs, MapOptions? options = null, CancellationToken cancellationToken = default) =>
            inner.MapAsync(workload, inputs, options, cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
