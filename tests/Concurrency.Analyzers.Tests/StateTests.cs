namespace Concurrency.Analyzers.Tests;

/// <summary>CONC002: workload state that Execute uses but a worker's copy does not have, or that Execute changes.</summary>
public sealed class StateTests
{
    [Fact]
    public Task PrivateFieldSetInAConstructor_IsReported() => Verify.AnalyzerAsync("""
        using Concurrency;

        public sealed class Describe : IWorkload<int, string>
        {
            private readonly int {|#0:_factor|} = 2;

            public Describe() { }

            public Describe(int factor) => _factor = factor;

            public int Offset { get; set; }

            public string Execute(int input, WorkContext context) => $"field={input * _factor} property={Offset}";
        }
        """,
        Verify.Diagnostic("CONC002").WithLocation(0).WithArguments(
            "Describe",
            "Execute reads '_factor', which does not travel to worker processes (it is a private field), and the constructor Describe(int) sets it: a worker runs Execute with the value the public parameterless constructor gives. Make it a public property with a public setter (or init)."));

    [Fact]
    public Task GetOnlyAndPrivatelySetPropertiesSetOutsideTheConstructorTheWorkerUses_AreReported() => Verify.AnalyzerAsync("""
        using Concurrency;

        public sealed class Threshold : IWorkload<double, bool>
        {
            public Threshold() { }

            public Threshold(double max) => Limit = max;

            public double {|#0:Limit|} { get; }

            public string {|#1:Unit|} { get; private set; } = "m";

            public void Configure(string unit) => Unit = unit;

            public bool Execute(double input, WorkContext context) => Unit == "m" && input > Limit;
        }
        """,
        Verify.Diagnostic("CONC002").WithLocation(1).WithArguments(
            "Threshold",
            "Execute reads 'Unit', which does not travel to worker processes (its setter is private), and Threshold.Configure sets it: a worker runs Execute with the value the public parameterless constructor gives. Make it a public property with a public setter (or init)."),
        Verify.Diagnostic("CONC002").WithLocation(0).WithArguments(
            "Threshold",
            "Execute reads 'Limit', which does not travel to worker processes (it is get-only and no constructor parameter matches it), and the constructor Threshold(double) sets it: a worker runs Execute with the value the public parameterless constructor gives. Make it a public property with a public setter (or init)."));

    [Fact]
    public Task PrimaryConstructorParameter_IsReported() => Verify.AnalyzerAsync("""
        using Concurrency;

        public sealed class Offset(int {|#0:by|}) : IWorkload<int, int>
        {
            public Offset() : this(1) { }

            public int Execute(int input, WorkContext context) => input + by;
        }
        """,
        Verify.Diagnostic("CONC002").WithLocation(0).WithArguments(
            "Offset",
            "Execute uses the primary constructor parameter 'by', which does not travel to worker processes: a worker creates the workload with its public parameterless constructor. Make it a public property with a public setter (or init)."));

    [Fact]
    public Task InstanceCounterChangedByExecuteThroughAHelper_IsReported() => Verify.AnalyzerAsync("""
        using Concurrency;

        public sealed class Count : IWorkload<int, int>
        {
            public int {|#0:Seen|} { get; set; }

            public int Execute(int input, WorkContext context) => Track(input);

            private int Track(int input)
            {
                Seen++;
                return input;
            }
        }
        """,
        Verify.Diagnostic("CONC002").WithLocation(0).WithArguments(
            "Count",
            "Execute changes 'Seen' (in Count.Track): on threads every item shares this one workload object and sees the other items' changes, while in worker processes each worker changes its own copy and nothing comes back. Keep per-item values in locals and return results in the result."));

    [Fact]
    public Task StateSetOnlyWhereTheWorkerSetsItToo_IsClean() => Verify.AnalyzerAsync("""
        using System;
        using Concurrency;

        public abstract class Kernel : IWorkload<double[], double>
        {
            private readonly double[] _weights;

            protected Kernel() => _weights = Build();

            public double Execute(double[] input, WorkContext context)
            {
                var sum = 0.0;
                for (var i = 0; i < Math.Min(input.Length, _weights.Length); i++) sum += input[i] * _weights[i] * Gain;
                return sum;
            }

            protected virtual double Gain => 1;

            private static double[] Build() => [0.25, 0.5, 0.25];
        }

        public sealed class Smooth : Kernel
        {
            private double _gain = 1;

            public double Strength { get => _gain; set => _gain = value; }

            protected override double Gain => _gain;
        }

        public sealed class Ratio : IWorkload<int, int>
        {
            public Ratio() { }

            public Ratio(int numerator) => Numerator = numerator;

            public int Numerator { get; }

            public int Execute(int input, WorkContext context) => Numerator / Math.Max(1, input);
        }
        """);

    [Fact]
    public Task PrivateFieldReadByExecuteOfAThreadsOnlyWorkload_IsNotReported() => Verify.AnalyzerAsync("""
        using Concurrency;

        [ThreadsOnlyWorkload]
        public sealed class Describe : IWorkload<int, int>
        {
            private readonly int _factor = 2;

            public Describe() { }

            public Describe(int factor) => _factor = factor;

            public int Execute(int input, WorkContext context) => input * _factor;
        }
        """);
}
