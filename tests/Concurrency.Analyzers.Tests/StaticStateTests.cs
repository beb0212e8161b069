namespace Concurrency.Analyzers.Tests;

/// <summary>CONC003: static state that is one copy on threads and one copy per worker process.</summary>
public sealed class StaticStateTests
{
    [Fact]
    public Task StaticCounterIncrementedInExecute_IsReported() => Verify.AnalyzerAsync("""
        using System.Threading;
        using Concurrency;

        public sealed class Number : IWorkload<int, int>
        {
            private static int {|#0:s_count|};

            public int Execute(int input, WorkContext context) => Interlocked.Increment(ref s_count);
        }
        """,
        Verify.Diagnostic("CONC003").WithLocation(0).WithArguments(
            "Number",
            "Execute writes the static 'Number.s_count', and it is not readonly: on threads every item shares one copy, while each worker process has its own, which starts as the static initializer leaves it. Pass the data in the input and return it in the result, make it readonly immutable data, or mark a cache [PerProcessCache]."));

    [Fact]
    public Task StaticReadonlyCollectionFilledAtStartupAndReadThroughAHelper_IsReported() => Verify.AnalyzerAsync("""
        using System.Collections.Generic;
        using Concurrency;

        public static class Registry
        {
            public static readonly Dictionary<string, double> {|#0:Rates|} = new();

            public static double Rate(string currency) => Rates.TryGetValue(currency, out var rate) ? rate : 1;
        }

        public sealed class Convert : IWorkload<(string Currency, double Amount), double>
        {
            public double Execute((string Currency, double Amount) input, WorkContext context) => input.Amount * Registry.Rate(input.Currency);
        }

        public sealed class Second : IWorkload<string, double>
        {
            public double Execute(string input, WorkContext context) => Registry.Rate(input);
        }

        public static class Startup
        {
            public static void Load() => Registry.Rates["EUR"] = 1.1;
        }
        """,
        Verify.Diagnostic("CONC003").WithLocation(0).WithArguments(
            "Convert",
            "Registry.Rate, which Execute calls, reads the static 'Registry.Rates', and Startup.Load changes what it holds: on threads every item shares one copy, while each worker process has its own, which starts as the static initializer leaves it. Pass the data in the input and return it in the result, make it readonly immutable data, or mark a cache [PerProcessCache]. 1 more workload uses it too."));

    [Fact]
    public Task StaticReadonlyCounterObjectIncremented_IsReported() => Verify.AnalyzerAsync("""
        using Concurrency;

        public sealed class Tally : IWorkload<int, int>
        {
            private static readonly AtomicCounter {|#0:Calls|} = new();

            public int Execute(int input, WorkContext context)
            {
                Calls.Increment();
                return input;
            }
        }
        """,
        Verify.Diagnostic("CONC003").WithLocation(0).WithArguments(
            "Tally",
            "Execute reads the static 'Tally.Calls', and Tally.Execute changes what it holds: on threads every item shares one copy, while each worker process has its own, which starts as the static initializer leaves it. Pass the data in the input and return it in the result, make it readonly immutable data, or mark a cache [PerProcessCache]."));

    [Fact]
    public Task LookupTablesConstantsThreadStaticAndMarkedCaches_AreClean() => Verify.AnalyzerAsync("""
        using System;
        using System.Collections.Concurrent;
        using System.Collections.Generic;
        using System.Collections.Immutable;
        using Concurrency;

        public sealed class Lookup : IWorkload<int, double>
        {
            private const int Size = 4;
            private static readonly double[] Weights = Build();
            private static readonly Dictionary<int, string> Names = new() { [0] = "zero", [1] = "one" };
            private static readonly ImmutableArray<int> Primes = [2, 3, 5, 7];
            private static readonly string Prefix = "n";

            [ThreadStatic]
            private static double[]? t_scratch;

            [PerProcessCache]
            private static readonly ConcurrentDictionary<int, double> Memo = new();

            static Lookup() => Names[2] = "two";

            public double Execute(int input, WorkContext context)
            {
                var scratch = t_scratch ??= new double[Size];
                scratch[0] = Weights[input % Size] + Primes[input % Primes.Length];
                var label = Prefix.Insert(0, Names.TryGetValue(input, out var name) ? name : "?");
                return Memo.GetOrAdd(input, i => scratch[0] * i + label.Length);
            }

            private static double[] Build()
            {
                var weights = new double[Size];
                for (var i = 0; i < Size; i++) weights[i] = 1.0 / (i + 1);
                return weights;
            }
        }
        """);

    [Fact]
    public Task StaticCounterUsedOnlyByAThreadsOnlyWorkload_IsNotReported() => Verify.AnalyzerAsync("""
        using System.Threading;
        using Concurrency;

        [ThreadsOnlyWorkload]
        public sealed class Number : IWorkload<int, int>
        {
            private static int s_count;

            public int Execute(int input, WorkContext context) => Interlocked.Increment(ref s_count);
        }
        """);
}
