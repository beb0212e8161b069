namespace Concurrency.Threads.Tests;

internal static class Bounded
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
}

/// <summary>A workload the test controls: each item reports that it started, then waits for the test to open the gate.</summary>
/// <param name="ignoreCancellation">When <see langword="true"/>, the item waits for the gate only, ignoring its token.</param>
internal sealed class GatedWorkload(bool ignoreCancellation = false) : IWorkload<int, int>
{
    private readonly ManualResetEventSlim _gate = new();
    private readonly SemaphoreSlim _started = new(0);
    private readonly System.Collections.Concurrent.ConcurrentQueue<int> _ran = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, WorkContext> _contexts = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, string?> _threadNames = new();

    /// <summary>Gets the inputs of the items that began running, in order.</summary>
    public IReadOnlyCollection<int> Ran => _ran;

    public WorkContext ContextOf(int input) => _contexts[input];

    public string? ThreadNameOf(int input) => _threadNames.TryGetValue(input, out var n) ? n : null;

    public int Execute(int input, WorkContext context)
    {
        _contexts[input] = context;
        _threadNames[input] = Thread.CurrentThread.Name;
        _ran.Enqueue(input);
        _started.Release();
        if (ignoreCancellation)
        {
            if (!_gate.Wait(Bounded.Timeout))
            {
                throw new TimeoutException("The test never opened the gate.");
            }
        }
        else if (!_gate.Wait(Bounded.Timeout, context.CancellationToken))
        {
            throw new TimeoutException("The test never opened the gate.");
        }

        return input * 10;
    }

    /// <summary>Waits until <paramref name="count"/> more items have started.</summary>
    public async Task WaitStartedAsync(int count = 1)
    {
        for (var i = 0; i < count; i++)
        {
            Assert.True(await _started.WaitAsync(Bounded.Timeout), "An item did not start within 30 s.");
        }
    }

    public void Open() => _gate.Set();
}

internal sealed class Square : IWorkload<int, int>
{
    public int Execute(int input, WorkContext context) => input * input;
}

internal sealed class FailOnNegative : IWorkload<int, int>
{
    public int Execute(int input, WorkContext context) => input < 0 ? throw new ArgumentOutOfRangeException(nameof(input), input, "negative") : input;
}
