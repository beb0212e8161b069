namespace Concurrency.Analyzers.Tests;

/// <summary>CONC005: workloads built from delegates, which exist only in the process that made them.</summary>
public sealed class DelegateTests
{
    [Fact]
    public Task AdapterHoldingAFunc_IsReportedOnTheField() => Verify.AnalyzerAsync("""
        using System;
        using Concurrency;

        public sealed class FuncWorkload : IWorkload<int, int>
        {
            private readonly Func<int, int> {|#0:_func|} = x => x;

            public FuncWorkload() { }

            public FuncWorkload(Func<int, int> func) => _func = func;

            public int Execute(int input, WorkContext context) => _func(input);
        }
        """,
        Verify.Diagnostic("CONC005").WithLocation(0).WithArguments(
            "FuncWorkload",
            "'_func' holds a delegate (Func<int, int>), which a worker process cannot receive, nor what it captured: the worker's copy runs with it null. Pass the data in the input or in public settable properties, and write the computation in Execute."),
        Verify.Diagnostic("CONC002").WithLocation(0));

    [Fact]
    public Task PublicDelegatePropertyAndPrimaryConstructorDelegate_AreReported() => Verify.AnalyzerAsync("""
        using System;
        using Concurrency;

        public sealed class Map(Func<int, int> {|#1:step|}) : IWorkload<int, int>
        {
            public Map() : this(x => x) { }

            public Func<int, int>? {|#0:Then|} { get; set; }

            public int Execute(int input, WorkContext context) => (Then ?? step)(input);
        }
        """,
        Verify.Diagnostic("CONC005").WithLocation(0).WithArguments(
            "Map",
            "'Then' holds a delegate (Func<int, int>), which a worker process cannot receive, nor what it captured: the serializer fails and so does every item. Pass the data in the input or in public settable properties, and write the computation in Execute."),
        Verify.Diagnostic("CONC005").WithLocation(1).WithArguments(
            "Map",
            "the primary constructor parameter 'step' is a delegate (Func<int, int>), which a worker process cannot receive, nor what it captured: the worker's copy runs without it. Pass the data in the input or in public settable properties, and write the computation in Execute."),
        Verify.Diagnostic("CONC002").WithLocation(1));

    [Fact]
    public Task LambdaPassedToAWorkloadFromAnotherAssembly_IsReportedWhereItIsCreated()
    {
        // Concurrency.Core has no delegate adapter; this one stands for one in any referenced library.
        var library = """
            using System;
            using Concurrency;

            namespace Library;

            public sealed class Lambda : IWorkload<int, int>
            {
                public Lambda() { }

                public Lambda(Func<int, int> body) => Body = body;

                public Func<int, int>? Body { get; set; }

                public int Execute(int input, WorkContext context) => Body!(input);
            }
            """;
        var app = """
            using Library;

            public static class App
            {
                public static object Build(int factor) => new Lambda({|#0:x => x * factor|});

                public static object BuildWithInitializer(int factor) => new Lambda { Body = {|#1:x => x + factor|} };
            }
            """;
        return Verify.AnalyzerWithLibraryAsync(library, app,
            Verify.Diagnostic("CONC005").WithSpan("Library0.cs", 12, 28, 12, 32),
            Verify.Diagnostic("CONC005").WithLocation(0).WithArguments("Lambda", "it is built from a delegate (for 'body'), which a worker process cannot receive, nor what it captured. Write the computation as a workload class whose data travels in its input or its public settable properties."),
            Verify.Diagnostic("CONC005").WithLocation(1).WithArguments("Lambda", "it is built from a delegate (for 'Body'), which a worker process cannot receive, nor what it captured. Write the computation as a workload class whose data travels in its input or its public settable properties."));
    }

    [Fact]
    public Task LambdasInsideExecute_AreClean() => Verify.AnalyzerAsync("""
        using System.Linq;
        using Concurrency;

        public sealed class SumOfSquares : IWorkload<int[], long>
        {
            public int Power { get; set; } = 2;

            public long Execute(int[] input, WorkContext context) => input.Select(x => (long)System.Math.Pow(x, Power)).Sum();
        }
        """);
}
