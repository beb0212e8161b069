using System.Collections.Concurrent;

namespace Concurrency.Orleans.Tests;

public sealed record RendezvousInput(string Group, int Parties, int Id);

/// <summary>
/// Waits (bounded, cancellable) until <c>Parties</c> items of its group run at the same time, then returns the id.
/// The in-process silos share this process's statics, so the group's count is seen by every silo.
/// </summary>
public sealed class RendezvousWorkload : IWorkload<RendezvousInput, int>
{
    private static readonly ConcurrentDictionary<string, CountdownEvent> Groups = new();

    public int Execute(RendezvousInput input, WorkContext context)
    {
        var group = Groups.GetOrAdd(input.Group, _ => new CountdownEvent(input.Parties));
        group.Signal();
        if (!group.Wait(TimeSpan.FromSeconds(30), context.CancellationToken))
        {
            throw new TimeoutException($"Only {input.Parties - group.CurrentCount} of {input.Parties} items of group {input.Group} ran at the same time.");
        }

        return input.Id;
    }
}

public sealed record GateInput(string Gate, int Value);

/// <summary>Test-side control of a gate: which items started, and when they may finish.</summary>
public static class Gates
{
    private static readonly ConcurrentDictionary<string, Gate> All = new();

    public static Gate Get(string name) => All.GetOrAdd(name, _ => new Gate());

    public sealed class Gate
    {
        private readonly ManualResetEventSlim _open = new();
        private readonly Lock _lock = new();
        private readonly List<(int Count, TaskCompletionSource Signal)> _waiters = [];
        private int _started;

        public int Started => Volatile.Read(ref _started);

        public void Open() => _open.Set();

        public Task StartedAtLeastAsync(int count)
        {
            lock (_lock)
            {
                if (_started >= count)
                {
                    return Task.CompletedTask;
                }

                var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((count, signal));
                return signal.Task;
            }
        }

        public void Pass(CancellationToken token)
        {
            lock (_lock)
            {
                _started++;
                foreach (var waiter in _waiters.Where(w => w.Count <= _started).ToList())
                {
                    waiter.Signal.TrySetResult();
                    _waiters.Remove(waiter);
                }
            }

            // Bounded: a test that forgets to open the gate fails instead of hanging.
            if (!_open.Wait(TimeSpan.FromSeconds(60), token))
            {
                throw new TimeoutException("The gate was never opened.");
            }
        }
    }
}

/// <summary>Doubles its input once its gate is open. Safe to run again: marked idempotent.</summary>
[IdempotentWorkload]
public sealed class IdempotentGatedWorkload : IWorkload<GateInput, int>
{
    public int Execute(GateInput input, WorkContext context)
    {
        Gates.Get(input.Gate).Pass(context.CancellationToken);
        return input.Value * 2;
    }
}

/// <summary>The same, not marked idempotent: its items must never run twice.</summary>
public sealed class GatedWorkload : IWorkload<GateInput, int>
{
    public int Execute(GateInput input, WorkContext context)
    {
        Gates.Get(input.Gate).Pass(context.CancellationToken);
        return input.Value * 2;
    }
}

/// <summary>A public workload without a parameterless constructor: silos must refuse it.</summary>
public sealed class NoDefaultConstructorWorkload(int factor) : IWorkload<int, int>
{
    public int Factor { get; } = factor;

    public int Execute(int input, WorkContext context) => input * Factor;
}

/// <summary>A workload that is not public: silos must refuse it.</summary>
internal sealed class InternalWorkload : IWorkload<int, int>
{
    public int Execute(int input, WorkContext context) => input;
}

/// <summary>An input MessagePack cannot serialize (a delegate).</summary>
public sealed record UnserializableInput(Func<int> Value);

public sealed class UnserializableInputWorkload : IWorkload<UnserializableInput, int>
{
    public int Execute(UnserializableInput input, WorkContext context) => input.Value();
}
