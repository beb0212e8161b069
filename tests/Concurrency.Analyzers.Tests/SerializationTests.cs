namespace Concurrency.Analyzers.Tests;

/// <summary>CONC004: inputs, results and workload members the default serializer fails on or changes.</summary>
public sealed class SerializationTests
{
    [Fact]
    public Task ObjectMemberOfTheResult_IsReportedOnTheWorkloadWithThePath() => Verify.AnalyzerAsync("""
        using Concurrency;

        public sealed class Circle
        {
            public double Radius { get; set; }
        }

        public sealed class Drawing
        {
            public object? Shape { get; set; }
        }

        public sealed class Draw : {|#0:IWorkload<double, Drawing>|}
        {
            public Drawing Execute(double input, WorkContext context) => new() { Shape = new Circle { Radius = input } };
        }
        """,
        Verify.Diagnostic("CONC004").WithLocation(0).WithArguments(
            "Draw",
            "'Drawing.Shape' is typed object: the serializer keeps only primitives, lists and maps in it, so an object of any other class (a record, a Circle) arrives in a worker as Dictionary<object, object>. Declare the concrete type."));

    [Fact]
    public Task InterfaceAbstractDelegateAndGetOnlyCollectionMembers_AreReported() => Verify.AnalyzerAsync("""
        using System;
        using System.Collections.Generic;
        using Concurrency;

        public interface IShape { }

        public abstract class Shape { }

        public sealed class Order
        {
            public IShape? Outline { get; set; }

            public Shape[] Parts { get; set; } = [];

            public Func<int>? Callback { get; set; }

            public List<string> Tags { get; } = new();

            public int Count { get; internal set; }
        }

        public sealed class Process : {|#0:IWorkload<Order, int>|}
        {
            public int Execute(Order input, WorkContext context) => input.Tags.Count;
        }
        """,
        Verify.Diagnostic("CONC004").WithLocation(0).WithArguments("Process", "'Order.Outline' is typed as the interface IShape: the serializer creates only the declared type, so it cannot create the object behind the interface and the item fails in a worker. Declare the concrete type."),
        Verify.Diagnostic("CONC004").WithLocation(0).WithArguments("Process", "'Order.Parts' (its elements) is typed as the abstract class Shape: the serializer creates only the declared type, so it cannot create the derived object and the item fails in a worker. Declare the concrete type."),
        Verify.Diagnostic("CONC004").WithLocation(0).WithArguments("Process", "'Order.Callback' is a delegate (Func<int>), which the serializer cannot send: the item fails in a worker."),
        Verify.Diagnostic("CONC004").WithLocation(0).WithArguments("Process", "'Order.Tags' is a get-only collection and no constructor parameter matches it: the serializer does not fill it, so it arrives empty in a worker. Give it a public setter (or init), or a constructor parameter."),
        Verify.Diagnostic("CONC004").WithLocation(0).WithArguments("Process", "'Order.Count' has a internal setter and no constructor parameter matches it: it arrives in a worker with its default value. Make the setter public (or init)."));

    [Fact]
    public Task TypesWithoutAUsableConstructorOrNotPublic_AreReported() => Verify.AnalyzerAsync("""
        using System.Collections.Generic;
        using Concurrency;

        public sealed class Vector
        {
            private readonly double[] _values;

            public Vector(double[] data) => _values = data;

            public double Length => _values.Length;
        }

        internal sealed record Hidden(int Value);

        public sealed record Batch(List<Vector> Vectors, int Size);

        public sealed class Measure : {|#0:IWorkload<Batch, double>|}
        {
            public double Execute(Batch input, WorkContext context) => input.Size;
        }

        internal sealed class {|#2:Peek|} : {|#1:IWorkload<int, Hidden>|}
        {
            public Hidden Execute(int input, WorkContext context) => new(input);
        }
        """,
        Verify.Diagnostic("CONC004").WithLocation(0).WithArguments("Measure", "'Batch.Vectors' (its elements) is of type Vector, which has no public constructor the serializer can use (a public parameterless one, or one whose parameters all match public members by name and type): the item fails in a worker."),
        Verify.Diagnostic("CONC004").WithLocation(0).WithArguments("Measure", "'Vector._values' is a private field: the serializer does not carry it, so it arrives in a worker with its default value. Make it a public property with a public setter (or init)."),
        Verify.Diagnostic("CONC001").WithLocation(2),
        Verify.Diagnostic("CONC004").WithLocation(1).WithArguments("Peek", "The result (Hidden) is of type Hidden, which is not public (or is nested in a type that is not): the serializer creates public types only, so the item fails in a worker."));

    [Fact]
    public Task ObjectTypedWorkloadProperty_IsReportedOnTheProperty() => Verify.AnalyzerAsync("""
        using Concurrency;

        public sealed class Tag : IWorkload<int, string>
        {
            public object? {|#0:Label|} { get; set; }

            public string Execute(int input, WorkContext context) => $"{Label}:{input}";
        }
        """,
        Verify.Diagnostic("CONC004").WithLocation(0).WithArguments(
            "Tag",
            "'Tag.Label' is typed object: the serializer keeps only primitives, lists and maps in it, so an object of any other class (a record, a Circle) arrives in a worker as Dictionary<object, object>. Declare the concrete type."));

    [Fact]
    public Task PortableInputsAndResults_AreClean() => Verify.AnalyzerAsync("""
        using System;
        using System.Collections.Generic;
        using Concurrency;
        using Concurrency.SharedMemory;

        public sealed record Point(double X, double Y);

        public sealed record Histogram(int[] Counts, Dictionary<string, double> Stats, IReadOnlyList<Point> Peaks)
        {
            public int Total => Counts.Length;
        }

        public sealed class Node
        {
            public string Name { get; set; } = "";

            public List<Node> Children { get; set; } = [];

            public DateTimeOffset At { get; init; }

            public Guid Id { get; init; }

            public DayOfWeek Day { get; set; }

            public int? Rank { get; set; }
        }

        public sealed class Summary
        {
            public Summary(long count, IReadOnlyDictionary<string, int> byKey)
            {
                Count = count;
                ByKey = byKey;
            }

            public long Count { get; }

            public IReadOnlyDictionary<string, int> ByKey { get; }
        }

        public sealed class Analyze : IWorkload<SharedArrayHandle<double>, Histogram>
        {
            public int Buckets { get; set; } = 10;

            public Histogram Execute(SharedArrayHandle<double> input, WorkContext context) =>
                new(new int[Buckets], new() { ["n"] = input.Length }, [new Point(0, 0)]);
        }

        public sealed class Walk : IWorkload<Node, Summary>
        {
            public Summary Execute(Node input, WorkContext context) => new(input.Children.Count, new Dictionary<string, int> { [input.Name] = 1 });
        }

        public sealed class Pair : IWorkload<(int Start, int End), KeyValuePair<string, long[]>>
        {
            public KeyValuePair<string, long[]> Execute((int Start, int End) input, WorkContext context) => new("range", [input.Start, input.End]);
        }
        """);
}
