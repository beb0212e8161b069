namespace Concurrency.SharedMemory.Tests.Executor;

// Workloads of the SharedMemoryExecutor tests: public, so that worker processes can run them.

public sealed record FillInput(SharedArrayHandle<double> Target, double Value);

/// <summary>Writes Value into every element of the target (in whichever process runs it) and returns the element count.</summary>
public sealed class FillWorkload : IWorkload<FillInput, long>
{
    public long Execute(FillInput input, WorkContext context)
    {
        using var view = input.Target.Open();
        view.Span.Fill(input.Value);
        return view.Length;
    }
}

public sealed record SumInput(SharedArrayHandle<double> Source);

/// <summary>Sums the elements of a read-only handle.</summary>
public sealed class SumWorkload : IWorkload<SumInput, double>
{
    public double Execute(SumInput input, WorkContext context)
    {
        using var view = input.Source.Open();
        var sum = 0.0;
        foreach (var value in view.ReadOnlySpan)
        {
            sum += value;
        }

        return sum;
    }
}

public sealed record SliceInput(SharedArrayHandle<double> Source, long Start, long Length);

/// <summary>Slices the handle inside the worker (an out-of-range slice throws there) and returns the slice's length.</summary>
public sealed class SliceWorkload : IWorkload<SliceInput, long>
{
    public long Execute(SliceInput input, WorkContext context) => input.Source.Slice(input.Start, input.Length).Length;
}

public sealed record CountInput(SharedArrayHandle<long> Cell, int Increments);

/// <summary>Increments a shared counter many times.</summary>
public sealed class CountWorkload : IWorkload<CountInput, int>
{
    public int Execute(CountInput input, WorkContext context)
    {
        using var counter = new SharedCounter(input.Cell);
        for (var i = 0; i < input.Increments; i++)
        {
            counter.Increment();
        }

        return Environment.ProcessId;
    }
}

/// <summary>Returns the process id of the worker that runs it.</summary>
public sealed class ProcessIdWorkload : IWorkload<string, int>
{
    public int Execute(string input, WorkContext context) => Environment.ProcessId;
}
