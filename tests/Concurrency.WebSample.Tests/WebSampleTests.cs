using System.Net;
using System.Net.Http.Json;
using Concurrency.Testing;
using Concurrency.Tests;
using Concurrency.WebSample.Workloads;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Concurrency.WebSample.Tests;

/// <summary>The web sample hosted in memory on each executor kind, chosen the way an operator would: by configuration.</summary>
public sealed class WebSampleTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    public static TheoryData<string> Kinds => ["Threads", "Processes", "SharedMemory"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public Task PrimesCount_SumsTheRangesRunOnTheExecutor(string kind) => WithAppAsync(kind, async client =>
    {
        var count = await client.GetFromJsonAsync<PrimeCountDto>("/primes/count?below=100000&ranges=8");

        Assert.Equal(new PrimeCountDto(100_000, Sieve(100_000).Count(p => p)), count);
    });

    [Theory]
    [MemberData(nameof(Kinds))]
    public Task PrimesRanges_StreamsEachRangeInOrder(string kind) => WithAppAsync(kind, async client =>
    {
        var ranges = await client.GetFromJsonAsync<RangeCount[]>("/primes/ranges?below=10000&ranges=4") ?? [];

        var primes = Sieve(10_000);
        Assert.Equal(
            new[] { 0, 2500, 5000, 7500 }.Select(start => new RangeCount(start, start + 2500, primes.Skip(start).Take(2500).Count(p => p))),
            ranges);
    });

    [Theory]
    [MemberData(nameof(Kinds))]
    public Task SignalSmooth_SmoothsTheSharedSignalInPlace(string kind) => WithAppAsync(kind, async client =>
    {
        const int Length = 100_000;
        const int Chunks = 8;

        using var response = await client.PostAsync(new Uri($"/signal/smooth?length={Length}&chunks={Chunks}", UriKind.Relative), content: null);
        response.EnsureSuccessStatusCode();
        var smoothed = await response.Content.ReadFromJsonAsync<SmoothedSignalDto>();

        // The same chunks, smoothed in this process and summed in the same order.
        var expected = new double[Length];
        SmoothWorkload.Fill(expected);
        var chunkLength = (Length + Chunks - 1) / Chunks;
        var sum = 0.0;
        for (var start = 0; start < Length; start += chunkLength)
        {
            sum += SmoothWorkload.Smooth(expected.AsSpan(start, Math.Min(chunkLength, Length - start)));
        }

        Assert.NotNull(smoothed);
        Assert.Equal(Length, smoothed.Length);
        Assert.Equal(sum, smoothed.Sum);
        Assert.Equal(expected[..4], smoothed.First);
    });

    [Theory]
    [InlineData("Threads", "SharesMemory")]
    [InlineData("Processes", "IsolatesFailures, HardCancellation")]
    [InlineData("SharedMemory", "IsolatesFailures, HardCancellation, ZeroCopyBuffers")]
    public Task Executor_IsTheKindTheConfigurationNames(string kind, string capabilities) => WithAppAsync(kind, async client =>
    {
        var executor = await client.GetFromJsonAsync<ExecutorInfoDto>("/executor");

        Assert.Equal(new ExecutorInfoDto(kind, 2, capabilities), executor);
    });

    [Fact]
    public Task PrimesCount_OutOfRange_IsABadRequestThatSaysWhy() => WithAppAsync("Threads", async client =>
    {
        using var response = await client.GetAsync(new Uri("/primes/count?below=-1&ranges=4", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();
        Assert.Equal("below must be 0 to 50000000 and ranges 1 to 1024; got below=-1, ranges=4.", problem?.Detail);
    });

    [Fact]
    public async Task Workloads_GiveTheSameResultsOnEveryKind()
    {
        await WorkloadVerifier.VerifyAsync(new CountPrimesWorkload(), CountPrimesWorkload.Split(20_000, 8)).WaitAsync(Patience);
        Assert.Empty(LeakCheck.ChildProcesses());
    }

    /// <summary>Which numbers below <paramref name="below"/> are prime, by the sieve of Eratosthenes: another method than the workload's.</summary>
    private static bool[] Sieve(int below)
    {
        var prime = Enumerable.Range(0, below).Select(n => n >= 2).ToArray();
        for (var p = 2; p * p < below; p++)
        {
            for (var multiple = p * p; prime[p] && multiple < below; multiple += p)
            {
                prime[multiple] = false;
            }
        }

        return prime;
    }

    /// <summary>Hosts the app with <c>Executor:Kind</c> set to <paramref name="kind"/>, runs <paramref name="test"/>, and checks that stopping it leaves nothing behind.</summary>
    private static async Task WithAppAsync(string kind, Func<HttpClient, Task> test)
    {
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("Executor:Kind", kind);
            web.UseSetting("Executor:Name", kind);
        });
        IWorkExecutor executor;
        await using (factory)
        {
            using var client = factory.CreateClient();
            executor = factory.Services.GetRequiredService<IWorkExecutor>();
            await test(client).WaitAsync(Patience);
        }

        // The factory returns before the application's entry point has disposed its host (and with it the executor);
        // DisposeAsync returns that same disposal, so this waits for it instead of for a fixed time.
        await executor.DisposeAsync().AsTask().WaitAsync(Patience);
        Assert.Empty(LeakCheck.ChildProcesses());
        Assert.Null(SharedMemoryLeaks.Describe()); // this process's files: other test runs may share the machine
    }

    private sealed record PrimeCountDto(int Below, int Primes);

    private sealed record SmoothedSignalDto(int Length, double Sum, double[] First);

    private sealed record ExecutorInfoDto(string Name, int MaxConcurrency, string Capabilities);
}
