using System.Globalization;
using Concurrency.Processes;
using Concurrency.Samples.Matrix;
using Concurrency.Samples.Workloads;
using Concurrency.SharedMemory;
using Concurrency.Testing;
using Concurrency.Tests;
using Concurrency.Threads;

namespace Concurrency.Samples.Tests;

/// <summary>The in-place transform leaves the same buffer on every executor, starts every run from the same values, and leaves nothing behind.</summary>
public sealed class InPlaceTests
{
    private const double Scale = 0.01; // 40,000 values, 2,500 per chunk

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task RunAsync_SequentialThreadsProcessesSharedMemory_BufferEqualsTheTransformOfTheInitialValues()
    {
        var expected = TransformedValues();
        var answers = new Dictionary<string, string>();
        var workers = new List<int>();
        using (var workload = new InPlaceMatrixWorkload(Scale))
        {
            await using var threads = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxConcurrency = 2 });
            await using var processes = new ProcessPoolExecutor(new ProcessPoolExecutorOptions { MaxConcurrency = 2 });
            await using var shared = new SharedMemoryExecutor(new SharedMemoryExecutorOptions { MaxConcurrency = 2 });
            foreach (var executor in new IWorkExecutor?[] { null, threads, processes, shared })
            {
                var name = executor?.Name ?? "sequential";
                workload.PrepareRun();

                var result = await workload.RunAsync(executor, CancellationToken.None).WaitAsync(Timeout);

                Assert.Equal("40,000 values rewritten", result);
                Assert.True(expected.AsSpan().SequenceEqual(workload.BufferContents()), $"{name}: the buffer differs from the sequential transform");
                answers[name] = workload.AnswerAfterRun(result);
            }

            workers.AddRange(MemorySampler.Descendants(Environment.ProcessId));
            Assert.All(answers, a => Assert.Equal(workload.ExpectedAnswer, a.Value));
        }

        Assert.Equal(4, answers.Count);
        Assert.StartsWith("40,000 values, mean ", answers["sequential"], StringComparison.Ordinal);
        Assert.Null(SharedMemoryLeaks.Describe([.. workers.Append(Environment.ProcessId)]));
        Assert.Empty(LeakCheck.ChildProcesses());
    }

    [Fact]
    public async Task RunAsync_AgainWithoutPrepareRun_StartsFromTheInitialValuesNotFromTheLastOutput()
    {
        var expected = TransformedValues();
        await using var threads = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxConcurrency = 2 });
        using var workload = new InPlaceMatrixWorkload(Scale);

        await workload.RunAsync(threads, CancellationToken.None).WaitAsync(Timeout);
        var first = workload.BufferContents();
        await workload.RunAsync(threads, CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal(expected, first);
        Assert.Equal(expected, workload.BufferContents());
        Assert.NotEqual(BufferTransform.Checksum(InitialValues()).ToString(), workload.ExpectedAnswer); // the transform changes the values
    }

    [Fact]
    public async Task PrepareRun_AfterARun_PutsTheInitialValuesBack()
    {
        using var workload = new InPlaceMatrixWorkload(Scale);
        await workload.RunAsync(null, CancellationToken.None).WaitAsync(Timeout);

        workload.PrepareRun();

        Assert.Equal(InitialValues(), workload.BufferContents());
    }

    [Fact]
    public void SerializedBytesPerItem_HandlesOnSharedMemoryCopiesOnProcessesNothingOnThreads()
    {
        using var workload = new InPlaceMatrixWorkload(Scale);
        var serializer = new MessagePackWorkSerializer();
        var chunkBytes = 2500 * sizeof(double);

        var threads = workload.SerializedBytesPerItem(new CapabilitiesOnly(ExecutorCapabilities.SharesMemory), serializer);
        var processes = workload.SerializedBytesPerItem(new CapabilitiesOnly(ExecutorCapabilities.IsolatesFailures | ExecutorCapabilities.HardCancellation), serializer);
        var shared = workload.SerializedBytesPerItem(new CapabilitiesOnly(ExecutorCapabilities.IsolatesFailures | ExecutorCapabilities.HardCancellation | ExecutorCapabilities.ZeroCopyBuffers), serializer);

        Assert.Equal(0, threads);
        Assert.InRange(processes, 2 * chunkBytes, (2 * chunkBytes) + 100); // the chunk out and back
        Assert.InRange(shared, 1, 300); // a handle out, a count back
    }

    [Fact]
    public void InPlaceTransformWorkload_ReadOnlyHandle_ThrowsInvalidOperationExceptionAndLeavesTheValues()
    {
        using var array = SharedArray<double>.Create(8);
        array.AsSpan().Fill(3);
        var workload = new InPlaceTransformWorkload();

        Assert.Throws<InvalidOperationException>(() => workload.Execute(new SharedBufferChunk(0, array.Handle.AsReadOnly()), new WorkContext(0)));
        Assert.Equal(Enumerable.Repeat(3.0, 8), array.AsSpan().ToArray());
    }

    [Fact]
    public void CopiedTransformWorkload_SameValues_SameResultAsInPlace()
    {
        var values = InitialValues()[..1000];
        using var array = SharedArray<double>.Create(values.Length);
        values.CopyTo(array.AsSpan());

        var copied = new CopiedTransformWorkload { Iterations = 3 }.Execute(new BufferChunk(0, [.. values]), new WorkContext(0));
        var summary = new InPlaceTransformWorkload { Iterations = 3 }.Execute(new SharedBufferChunk(0, array.Handle), new WorkContext(0));

        Assert.Equal(new BufferChunkSummary(0, 1000), summary);
        Assert.Equal(copied.Values, array.AsSpan().ToArray());
        Assert.Equal(values.Select(v => BufferTransform.Map(v, 3)), copied.Values);
    }

    private static double[] InitialValues()
    {
        var values = new double[(int)(InPlaceMatrixWorkload.DefaultLength * Scale)];
        PipelineTransform.Fill(values);
        return values;
    }

    private static double[] TransformedValues() =>
        [.. InitialValues().Select(v => BufferTransform.Map(v, InPlaceTransformWorkload.DefaultIterations))];

    /// <summary>An executor that only has capabilities: enough to weigh an item.</summary>
    private sealed class CapabilitiesOnly(ExecutorCapabilities capabilities) : IWorkExecutor
    {
        public string Name => string.Create(CultureInfo.InvariantCulture, $"Capabilities {capabilities}");

        public ExecutorCapabilities Capabilities => capabilities;

        public int MaxConcurrency => 2;

        public Task<TResult> SubmitAsync<TInput, TResult>(IWorkload<TInput, TResult> workload, TInput input, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public IAsyncEnumerable<TResult> MapAsync<TInput, TResult>(IWorkload<TInput, TResult> workload, IEnumerable<TInput> inputs, MapOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public IAsyncEnumerable<TResult> MapAsync<TInput, TResult>(IWorkload<TInput, TResult> workload, IAsyncEnumerable<TInput> inputs, MapOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
