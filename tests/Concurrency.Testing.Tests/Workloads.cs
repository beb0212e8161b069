using System.Globalization;

namespace Concurrency.Testing.Tests;

public sealed record Order(int Id, double[] Prices, Dictionary<string, int> Quantities);

public sealed record Invoice(int Id, double Total, double[] Lines, Dictionary<string, double> ByItem);

/// <summary>Portable: public, sealed, a parameterless constructor, its configuration in public settable properties.</summary>
public sealed class InvoiceWorkload : IWorkload<Order, Invoice>
{
    public double Discount { get; set; }

    public Invoice Execute(Order input, WorkContext context)
    {
        var lines = input.Prices.Select(p => p * (1 - Discount)).ToArray();
        var byItem = input.Quantities.ToDictionary(q => q.Key, q => q.Value * lines.Sum());
        return new Invoice(input.Id, lines.Sum(), lines, byItem);
    }
}

/// <summary>Not portable: its factor is private state that a worker's copy never gets (it starts at 2 there).</summary>
public sealed class ScaleWorkload : IWorkload<int, string>
{
    private int _factor = 2;

    public int Offset { get; set; }

    public ScaleWorkload WithFactor(int factor)
    {
        _factor = factor;
        return this;
    }

    public string Execute(int input, WorkContext context) =>
        string.Create(CultureInfo.InvariantCulture, $"field={input * _factor} property={input + Offset}");
}

public sealed class Circle
{
    public double Radius { get; set; }
}

public sealed class Drawing
{
    public string Name { get; set; } = string.Empty;

    public object? Shape { get; set; }
}

/// <summary>Not portable: the input's member typed object arrives in a worker as what the serializer makes of it.</summary>
public sealed class EchoDrawingWorkload : IWorkload<Drawing, Drawing>
{
    public Drawing Execute(Drawing input, WorkContext context) => new() { Name = input.Name.ToUpperInvariant(), Shape = input.Shape };
}

/// <summary>Not portable: a static counter, shared by every item on threads and one per process in workers.</summary>
public sealed class TicketWorkload : IWorkload<int, int>
{
    private static int s_issued;

    public static int IssueOne() => Interlocked.Increment(ref s_issued);

    public int Execute(int input, WorkContext context) => IssueOne();
}

/// <summary>Fails the same way wherever it runs: a negative input is an ArgumentOutOfRangeException.</summary>
public sealed class SquareRootWorkload : IWorkload<double, double>
{
    public double Execute(double input, WorkContext context)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(input);
        return Math.Sqrt(input);
    }
}

/// <summary>Not portable: internal, so a worker cannot create it.</summary>
internal sealed class InternalWorkload : IWorkload<int, int>
{
    public int Execute(int input, WorkContext context) => input;
}
