namespace Concurrency.Analyzers.Tests;

/// <summary>CONC001: the worker's own check (public, a concrete class, a public parameterless constructor), ahead of run time.</summary>
public sealed class CreatableTests
{
    [Fact]
    public Task PublicSealedWorkloadWithSettableProperties_IsClean() => Verify.AnalyzerAsync("""
        using Concurrency;

        public sealed class Scale : IWorkload<double[], double[]>
        {
            public double Factor { get; set; } = 2;

            public double[] Execute(double[] input, WorkContext context)
            {
                var output = new double[input.Length];
                for (var i = 0; i < input.Length; i++) output[i] = input[i] * Factor;
                return output;
            }
        }
        """);

    [Fact]
    public Task InternalWorkload_IsReported() => Verify.AnalyzerAsync("""
        using Concurrency;

        internal sealed class {|#0:AddOne|} : IWorkload<int, int>
        {
            public int Execute(int input, WorkContext context) => input + 1;
        }
        """,
        Verify.Diagnostic("CONC001").WithLocation(0).WithArguments("AddOne", "it is not public. Make it public"));

    [Fact]
    public Task PublicWorkloadNestedInAnInternalClass_IsReported() => Verify.AnalyzerAsync("""
        using Concurrency;

        internal static class Jobs
        {
            public sealed class {|#0:AddOne|} : IWorkload<int, int>
            {
                public int Execute(int input, WorkContext context) => input + 1;
            }
        }
        """,
        Verify.Diagnostic("CONC001").WithLocation(0).WithArguments("Jobs.AddOne", "it is not public: it is nested in Jobs, which is not public. Make every type it is nested in public, or move it out"));

    [Fact]
    public Task WorkloadWithOnlyAConstructorWithArguments_IsReported() => Verify.AnalyzerAsync("""
        using Concurrency;

        public sealed class {|#0:Offset|} : IWorkload<int, int>
        {
            public Offset(int by) => By = by;

            public int By { get; set; }

            public int Execute(int input, WorkContext context) => input + By;
        }
        """,
        Verify.Diagnostic("CONC001").WithLocation(0).WithArguments("Offset", "it has no public parameterless constructor. Add one; values the worker needs travel in public settable properties"));

    [Fact]
    public Task StructWorkload_IsReported() => Verify.AnalyzerAsync("""
        using Concurrency;

        public struct {|#0:AddOne|} : IWorkload<int, int>
        {
            public int Execute(int input, WorkContext context) => input + 1;
        }
        """,
        Verify.Diagnostic("CONC001").WithLocation(0).WithArguments("AddOne", "it is not a concrete class (it is a struct). Make it a sealed class"));

    [Fact]
    public Task AbstractBaseAndGenericWorkload_AreCheckedThroughTheirConcreteTypes() => Verify.AnalyzerAsync("""
        using Concurrency;

        public abstract class Transform : IWorkload<int, int>
        {
            protected Transform(int unused) { }

            public int Execute(int input, WorkContext context) => Apply(input);

            protected abstract int Apply(int input);
        }

        public sealed class Twice : Transform
        {
            public Twice() : base(0) { }

            protected override int Apply(int input) => input * 2;
        }

        public sealed class Identity<T> : IWorkload<T, T>
        {
            public T Execute(T input, WorkContext context) => input;
        }

        internal sealed class Hidden { }

        public static class Use
        {
            public static object Create() => {|#0:new Identity<Hidden>()|};

            public static object CreatePublic() => new Identity<int>();
        }
        """,
        Verify.Diagnostic("CONC001").WithLocation(0).WithArguments("Identity<Hidden>", "it is not public: its type argument Hidden is not public. Make Hidden public"));

    [Fact]
    public Task ThreadsOnlyWorkload_IsNotReported() => Verify.AnalyzerAsync("""
        using Concurrency;

        [ThreadsOnlyWorkload(Justification = "Holds a live connection.")]
        internal sealed class AddOne : IWorkload<int, int>
        {
            public AddOne(int unused) { }

            public int Execute(int input, WorkContext context) => input + 1;
        }
        """);
}
