using Concurrency.Analyzers.CodeFixes;

namespace Concurrency.Analyzers.Tests;

/// <summary>The obvious fixes: make the workload public, add a public parameterless constructor, mark it [ThreadsOnlyWorkload].</summary>
public sealed class CodeFixTests
{
    [Fact]
    public Task MakePublic_MakesAnInternalWorkloadPublic() => Verify.CodeFixAsync<WorkloadCodeFixProvider>("""
        using Concurrency;

        internal sealed class {|#0:AddOne|} : IWorkload<int, int>
        {
            public int Execute(int input, WorkContext context) => input + 1;
        }
        """, """
        using Concurrency;

        public sealed class AddOne : IWorkload<int, int>
        {
            public int Execute(int input, WorkContext context) => input + 1;
        }
        """,
        [Verify.Diagnostic("CONC001").WithLocation(0)],
        WorkloadCodeFixProvider.MakePublicKey);

    [Fact]
    public Task AddConstructor_AddsAPublicParameterlessConstructor() => Verify.CodeFixAsync<WorkloadCodeFixProvider>("""
        using Concurrency;

        public sealed class {|#0:Offset|} : IWorkload<int, int>
        {
            public Offset(int by) => By = by;

            public int By { get; set; }

            public int Execute(int input, WorkContext context) => input + By;
        }
        """, """
        using Concurrency;

        public sealed class Offset : IWorkload<int, int>
        {
            public Offset()
            {
            }

            public Offset(int by) => By = by;

            public int By { get; set; }

            public int Execute(int input, WorkContext context) => input + By;
        }
        """,
        [Verify.Diagnostic("CONC001").WithLocation(0)],
        WorkloadCodeFixProvider.AddConstructorKey);

    [Fact]
    public Task ThreadsOnly_MarksTheWorkloadThatHoldsADelegate() => Verify.CodeFixAsync<WorkloadCodeFixProvider>("""
        using System;
        using Concurrency;

        public sealed class Apply : IWorkload<int, int>
        {
            public Func<int, int>? {|#0:Body|} { get; set; }

            public int Execute(int input, WorkContext context) => Body!(input);
        }
        """, """
        using System;
        using Concurrency;

        [ThreadsOnlyWorkload]
        public sealed class Apply : IWorkload<int, int>
        {
            public Func<int, int>? Body { get; set; }

            public int Execute(int input, WorkContext context) => Body!(input);
        }
        """,
        [Verify.Diagnostic("CONC005").WithLocation(0)],
        WorkloadCodeFixProvider.ThreadsOnlyKey);

    [Fact]
    public Task MakeProperty_TurnsAPrivateFieldIntoAPublicSettablePropertyEverywhere() => Verify.CodeFixAsync<WorkloadCodeFixProvider>("""
        using Concurrency;

        public sealed class Describe : IWorkload<int, string>
        {
            private readonly int {|#0:_factor|} = 2;

            public Describe() { }

            public Describe(int factor) => _factor = factor;

            public string Execute(int input, WorkContext context) => $"field={input * _factor}";
        }
        """, """
        using Concurrency;

        public sealed class Describe : IWorkload<int, string>
        {
            public int Factor { get; set; } = 2;

            public Describe() { }

            public Describe(int factor) => Factor = factor;

            public string Execute(int input, WorkContext context) => $"field={input * Factor}";
        }
        """,
        [Verify.Diagnostic("CONC002").WithLocation(0)],
        WorkloadCodeFixProvider.MakePropertyKey);
}
