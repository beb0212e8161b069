using Concurrency.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Concurrency.SharedMemory.Tests.Executor;

public sealed class SharedMemoryExecutorTests : SharedMemoryTest
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static SharedMemoryExecutor Create(int workers = 2) => new(new SharedMemoryExecutorOptions { MaxConcurrency = workers });

    [Fact]
    public async Task Capabilities_IsolateFailuresAndMoveBuffersWithoutCopies()
    {
        await using var executor = Create();

        Assert.Equal(ExecutorCapabilities.IsolatesFailures | ExecutorCapabilities.HardCancellation | ExecutorCapabilities.ZeroCopyBuffers, executor.Capabilities);
        Assert.Equal("SharedMemory", executor.Name);
        Assert.Equal(2, executor.MaxConcurrency);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(10_001)]
    public void Constructor_SpinDurationOutOfRange_ThrowsArgumentExceptionNamingIt(int microseconds)
    {
        var options = new SharedMemoryExecutorOptions { SpinDuration = TimeSpan.FromMicroseconds(microseconds) };

        var error = Assert.Throws<ArgumentException>(() => new SharedMemoryExecutor(options));

        Assert.Contains($"SharedMemoryExecutorOptions.SpinDuration must be between zero and 10 ms, got {options.SpinDuration}.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SpinDuration_Default_Is50Microseconds() =>
        Assert.Equal(TimeSpan.FromMicroseconds(50), new SharedMemoryExecutorOptions().SpinDuration);

    [Fact]
    public async Task SubmitAsync_InputHoldsAHandle_WorkerWritesIntoTheOwnersMemory()
    {
        using var array = SharedArray<double>.Create(1 << 20);
        await using var executor = Create();

        var halves = array.Handle.Chunk(1 << 19).ToArray();
        var counts = await Task.WhenAll(
            executor.SubmitAsync(new FillWorkload(), new FillInput(halves[0], 1.5)),
            executor.SubmitAsync(new FillWorkload(), new FillInput(halves[1], 2.5))).WaitAsync(Patience);

        Assert.Equal([1L << 19, 1L << 19], counts);
        Assert.All(array.AsSpan(0, 1 << 19).ToArray(), v => Assert.Equal(1.5, v));
        Assert.All(array.AsSpan(1 << 19, 1 << 19).ToArray(), v => Assert.Equal(2.5, v));
    }

    [Fact]
    public async Task MapAsync_ReadOnlyHandles_SumInWorkersEqualsTheSumHere()
    {
        using var array = SharedArray<double>.Create(1 << 20);
        var expected = Fill(array);

        await using var executor = Create();
        var inputs = array.Handle.AsReadOnly().Chunk(1 << 16).Select(h => new SumInput(h));
        var total = 0.0;
        await foreach (var part in executor.MapAsync(new SumWorkload(), inputs))
        {
            total += part;
        }

        Assert.Equal(expected, total);
    }

    private static double Fill(SharedArray<double> array)
    {
        var span = array.AsSpan();
        var sum = 0.0;
        for (var i = 0; i < span.Length; i++)
        {
            span[i] = i % 7;
            sum += span[i];
        }

        return sum;
    }

    [Fact]
    public async Task MapAsync_ManyProcessesIncrementOneSharedCounter_EndsExact()
    {
        using var cell = SharedArray<long>.Create(1);
        await using var executor = Create();

        var pids = new HashSet<int>();
        await foreach (var pid in executor.MapAsync(new CountWorkload(), Enumerable.Range(0, 8).Select(_ => new CountInput(cell.Handle, 50_000)), new MapOptions { BatchSize = 1 }))
        {
            pids.Add(pid);
        }

        Assert.Equal(400_000, cell.AsSpan()[0]);
        Assert.DoesNotContain(Environment.ProcessId, pids);
    }

    [Fact]
    public async Task SubmitAsync_SliceOutOfRangeInTheWorker_FailsWithArgumentOutOfRange()
    {
        using var array = SharedArray<double>.Create(100);
        await using var executor = Create();

        var error = await Assert.ThrowsAsync<WorkloadException>(() => executor.SubmitAsync(new SliceWorkload(), new SliceInput(array.Handle, 90, 20)));

        Assert.Equal("System.ArgumentOutOfRangeException", error.RemoteExceptionType);
        Assert.Equal(10L, await executor.SubmitAsync(new SliceWorkload(), new SliceInput(array.Handle, 90, 10)));
    }

    [Fact]
    public async Task SubmitAsync_HandleToADisposedSegment_FailsWithObjectDisposedInTheWorkload()
    {
        var array = SharedArray<double>.Create(100);
        var handle = array.Handle;
        array.Dispose();
        await using var executor = Create();

        var error = await Assert.ThrowsAsync<WorkloadException>(() => executor.SubmitAsync(new SumWorkload(), new SumInput(handle)));

        Assert.Equal("System.ObjectDisposedException", error.RemoteExceptionType);
    }

    [Fact]
    public async Task Start_SecondPool_LeavesTheFirstPoolsSegmentsAlone()
    {
        using var array = SharedArray<double>.Create(1000);
        await using var first = Create();
        Assert.Equal(1000L, await first.SubmitAsync(new FillWorkload(), new FillInput(array.Handle, 3)));

        // A second pool reclaims stale segments when it starts: live ones, and the first pool's rings, stay.
        await using var second = Create();
        Assert.Equal(1000L, await second.SubmitAsync(new FillWorkload(), new FillInput(array.Handle, 4)));
        Assert.Equal(1000L, await first.SubmitAsync(new FillWorkload(), new FillInput(array.Handle, 5)));
        Assert.Equal(5.0, array.AsSpan()[999]);
    }

    [Fact]
    public async Task Workers_Rings_AreUnnamedMemoryFilesNotFilesInSharedMemory()
    {
        await using var executor = Create();
        var pid = await executor.SubmitAsync(new ProcessIdWorkload(), "ok").WaitAsync(Patience);

        // The worker maps its rings from an unnamed memory file of ours: nothing in /dev/shm, at any time.
        Assert.Empty(LeakCheck.SharedMemoryFiles($"concurrency-{Environment.ProcessId}-"));
        Assert.Contains(File.ReadLines($"/proc/{pid}/maps"), line => line.Contains("/memfd:concurrency-channel", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AddWorkExecutor_KindSharedMemory_ResolvesASharedMemoryExecutor()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Executor:Kind"] = "SharedMemory", ["Executor:MaxConcurrency"] = "1", ["Executor:ItemTimeout"] = "00:00:05" })
            .Build();
        await using var provider = new ServiceCollection().AddWorkExecutor(configuration.GetSection("Executor")).BuildServiceProvider();

        var executor = Assert.IsType<SharedMemoryExecutor>(provider.GetRequiredService<IWorkExecutor>());
        Assert.Equal(1, executor.MaxConcurrency);
        Assert.True(await executor.SubmitAsync(new ProcessIdWorkload(), "ok") > 0);
    }

    [Fact]
    public async Task HostedService_AtHostStart_PrestartsTheWorkersOfEveryRegistration()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([new("Executor:Kind", "SharedMemory"), new("Executor:MaxConcurrency", "1")])
            .Build();
        var services = new ServiceCollection()
            .AddSharedMemoryExecutor("big", o => o.MaxConcurrency = 2)
            .AddWorkExecutor(configuration.GetSection("Executor"));
        await using (var provider = services.BuildServiceProvider())
        {
            var hosted = Assert.Single(provider.GetServices<Microsoft.Extensions.Hosting.IHostedService>());
            await hosted.StartAsync(CancellationToken.None).WaitAsync(Patience);

            Assert.Equal(2, provider.GetRequiredKeyedService<SharedMemoryExecutor>("big").Pool.ReadyWorkerIds.Count);
            Assert.Single(provider.GetRequiredService<SharedMemoryExecutor>().Pool.ReadyWorkerIds);
            await hosted.StopAsync(CancellationToken.None);
        }

        Assert.Empty(LeakCheck.ChildProcesses());
    }

    [Fact]
    public async Task StartWorkersAsync_BeforeAnyItem_StartsEveryWorker()
    {
        await using var executor = Create(workers: 2);

        await executor.StartWorkersAsync().WaitAsync(Patience);

        Assert.Equal(2, executor.Pool.ReadyWorkerIds.Count);
    }

    [Fact]
    public async Task AddSharedMemoryExecutor_Keyed_ResolvesByKey()
    {
        await using var provider = new ServiceCollection().AddSharedMemoryExecutor("big", o => o.MaxConcurrency = 1).BuildServiceProvider();

        var executor = provider.GetRequiredKeyedService<IWorkExecutor>("big");

        Assert.Equal("big", executor.Name);
        Assert.IsType<SharedMemoryExecutor>(executor);
    }
}
