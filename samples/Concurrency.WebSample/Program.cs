// An ASP.NET Core minimal API that offloads CPU work per request to the executor that appsettings.json names
// (Executor:Kind = Threads, Processes or SharedMemory): the same code on every kind.
using Concurrency;
using Concurrency.SharedMemory;
using Concurrency.WebSample.Workloads;

var builder = WebApplication.CreateBuilder(args);

// One executor for the application, its kind and options from configuration; the host starts its workers.
builder.Services.AddWorkExecutor(builder.Configuration.GetSection("Executor"));

var app = builder.Build();

// The executor this application runs on.
app.MapGet("/executor", (IWorkExecutor executor) =>
    new ExecutorInfo(executor.Name, executor.MaxConcurrency, executor.Capabilities.ToString()));

// Counts the primes below a bound, split into ranges that run at once. The request's cancellation cancels the work:
// a client that goes away stops its items (and, on the process kinds, a worker that ignores it is replaced).
app.MapGet("/primes/count", async (int below, int? ranges, IWorkExecutor executor, CancellationToken cancellationToken) =>
{
    if (Limits.Check(below, ranges ?? Limits.DefaultRanges) is { } problem)
    {
        return problem;
    }

    var total = 0;
    await foreach (var range in executor.MapAsync(new CountPrimesWorkload(), CountPrimesWorkload.Split(below, ranges ?? Limits.DefaultRanges), cancellationToken: cancellationToken))
    {
        total += range.Primes;
    }

    return Results.Ok(new PrimeCount(below, total));
});

// The same work, streamed: each range's count is written to the response as soon as it is known, in order.
app.MapGet("/primes/ranges", (int below, int? ranges, IWorkExecutor executor, CancellationToken cancellationToken) =>
    Limits.Check(below, ranges ?? Limits.DefaultRanges) is { } problem
        ? problem
        : Results.Ok(executor.MapAsync(new CountPrimesWorkload(), CountPrimesWorkload.Split(below, ranges ?? Limits.DefaultRanges), cancellationToken: cancellationToken)));

// Smooths a signal that lives in shared memory, in place, chunk by chunk: workers get handles, not copies, and only
// each chunk's sum comes back.
app.MapPost("/signal/smooth", async (int length, int? chunks, IWorkExecutor executor, CancellationToken cancellationToken) =>
{
    var parts = chunks ?? Limits.DefaultRanges;
    if (length is < 1 or > Limits.MaxSignalLength || parts < 1 || parts > Math.Min(Limits.MaxRanges, length))
    {
        return Results.Problem(
            $"length must be 1 to {Limits.MaxSignalLength} and chunks 1 to {Limits.MaxRanges} (and at most length); got length={length}, chunks={parts}.",
            statusCode: StatusCodes.Status400BadRequest);
    }

    using var signal = SharedArray<double>.Create(length);
    SmoothWorkload.Fill(signal.AsSpan(0, length));
    var chunkLength = (length + parts - 1) / parts;
    var inputs = signal.Handle.Chunk(chunkLength).Select((handle, index) => new SignalChunk(index, handle));
    var sum = 0.0;
    await foreach (var chunk in executor.MapAsync(new SmoothWorkload(), inputs, cancellationToken: cancellationToken))
    {
        sum += chunk.Sum;
    }

    return Results.Ok(new SmoothedSignal(length, sum, signal.AsSpan(0, Math.Min(length, 4)).ToArray()));
});

app.Run();

/// <summary>The executor the application runs on.</summary>
internal sealed record ExecutorInfo(string Name, int MaxConcurrency, string Capabilities);

/// <summary>The number of primes below a bound.</summary>
internal sealed record PrimeCount(int Below, int Primes);

/// <summary>A smoothed signal: its length, the sum of its values after smoothing, and its first values.</summary>
internal sealed record SmoothedSignal(int Length, double Sum, double[] First);

/// <summary>What a request may ask for: enough to keep a sample from being a way to exhaust the machine.</summary>
internal static class Limits
{
    public const int DefaultRanges = 16;
    public const int MaxRanges = 1024;
    public const int MaxBelow = 50_000_000;
    public const int MaxSignalLength = 64 << 20;

    public static IResult? Check(int below, int ranges) =>
        below is < 0 or > MaxBelow || ranges is < 1 or > MaxRanges
            ? Results.Problem($"below must be 0 to {MaxBelow} and ranges 1 to {MaxRanges}; got below={below}, ranges={ranges}.", statusCode: StatusCodes.Status400BadRequest)
            : null;
}

/// <summary>The application's entry point, visible to the tests that host it in memory.</summary>
public partial class Program;
