using Concurrency.Tests;

namespace Concurrency.Testing.Tests;

/// <summary>The verifier on the cases that make switching kinds unsafe, and on workloads that are safe to switch.</summary>
public sealed class WorkloadVerifierTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    public void Dispose()
    {
        Assert.Empty(LeakCheck.ChildProcesses());
        Assert.Null(SharedMemoryLeaks.Describe()); // this process's files: other test runs may share the machine
    }

    [Fact]
    public async Task VerifyAsync_PortableWorkload_PassesOnEveryKind()
    {
        Order[] orders =
        [
            new(1, [10.0, 20.5], new() { ["apple"] = 3, ["pear"] = 1 }),
            new(2, [], []),
            new(3, [0.1, 0.2, 0.3], new() { ["plum"] = 7 }),
        ];

        await WorkloadVerifier.VerifyAsync(new InvoiceWorkload { Discount = 0.25 }, orders).WaitAsync(Patience);
    }

    [Fact]
    public async Task VerifyAsync_SameExceptionTypeOnEveryKind_Passes()
    {
        await WorkloadVerifier.VerifyAsync(new SquareRootWorkload(), [4.0, -1.0, 9.0]).WaitAsync(Patience);
    }

    [Fact]
    public async Task VerifyAsync_PrivateFieldSetAfterConstruction_ReportsTheResultThatDiffers()
    {
        var ex = await Assert.ThrowsAsync<WorkloadVerificationException>(
            () => WorkloadVerifier.VerifyAsync(new ScaleWorkload { Offset = 3 }.WithFactor(7), [2]).WaitAsync(Patience));

        Assert.Equal(("Threads", "Processes", 0L, ""), (ex.BaselineKind, ex.Kind, ex.InputIndex, ex.MemberPath));
        Assert.Equal(
            $"Workload {typeof(ScaleWorkload).FullName} behaves differently on Processes than on Threads for input 0: " +
            "the result is \"field=14 property=5\" on Threads and \"field=4 property=5\" on Processes.",
            ex.Message);
    }

    [Fact]
    public async Task VerifyAsync_ObjectMemberHoldingAClass_ReportsTheMemberPathAndBothTypes()
    {
        var drawing = new Drawing { Name = "wheel", Shape = new Circle { Radius = 2 } };

        var ex = await Assert.ThrowsAsync<WorkloadVerificationException>(
            () => WorkloadVerifier.VerifyAsync(new EchoDrawingWorkload(), [drawing]).WaitAsync(Patience));

        Assert.Equal(("Processes", 0L, ".Shape"), (ex.Kind, ex.InputIndex, ex.MemberPath));
        Assert.StartsWith(
            $"Workload {typeof(EchoDrawingWorkload).FullName} behaves differently on Processes than on Threads for input 0: " +
            $"the result's Shape is a {typeof(Circle).FullName} on Threads and a System.Collections.Generic.Dictionary`2",
            ex.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_StaticCounter_ReportsThatWorkersCountOnTheirOwn()
    {
        // The application has issued tickets before: on threads the counter goes on from there, each worker starts at 0.
        for (var i = 0; i < 5; i++)
        {
            TicketWorkload.IssueOne();
        }

        var ex = await Assert.ThrowsAsync<WorkloadVerificationException>(
            () => WorkloadVerifier.VerifyAsync(new TicketWorkload(), Enumerable.Range(0, 4)).WaitAsync(Patience));

        Assert.Equal(("Threads", "Processes", 0L, ""), (ex.BaselineKind, ex.Kind, ex.InputIndex, ex.MemberPath));
        Assert.Matches(@"for input 0: the result is ([6-9]) \(System\.Int32\) on Threads and 1 \(System\.Int32\) on Processes\.$", ex.Message);
    }

    [Fact]
    public async Task VerifyAsync_WorkloadAWorkerCannotCreate_ReportsTheKindAndWhy()
    {
        var ex = await Assert.ThrowsAsync<WorkloadVerificationException>(
            () => WorkloadVerifier.VerifyAsync(new InternalWorkload(), [1, 2]).WaitAsync(Patience));

        Assert.Equal(("Threads", "Processes"), (ex.BaselineKind, ex.Kind));
        Assert.Contains($"{typeof(InternalWorkload).FullName} cannot run in a worker process: it is not public.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_KindsNamed_ComparesOnlyThoseInThatOrder()
    {
        var options = new WorkloadVerifierOptions { Kinds = { "SharedMemory", "Threads" } };

        var ex = await Assert.ThrowsAsync<WorkloadVerificationException>(
            () => WorkloadVerifier.VerifyAsync(new ScaleWorkload().WithFactor(5), [1], options).WaitAsync(Patience));

        Assert.Equal(("SharedMemory", "Threads"), (ex.BaselineKind, ex.Kind));
        Assert.EndsWith("the result is \"field=2 property=1\" on SharedMemory and \"field=5 property=1\" on Threads.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_OneKind_ThrowsBecauseThereIsNothingToCompare()
    {
        var options = new WorkloadVerifierOptions { Kinds = { "Threads" } };

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => WorkloadVerifier.VerifyAsync(new SquareRootWorkload(), [1.0], options));

        Assert.Equal(
            "WorkloadVerifier needs at least two executor kinds to compare; it has Threads. The kinds this application references are: Processes, SharedMemory, Threads. " +
            "Reference another executor package (Concurrency.Threads, Concurrency.Processes, Concurrency.SharedMemory) from the test project, or name the kinds in WorkloadVerifierOptions.Kinds.",
            ex.Message);
    }

    [Fact]
    public async Task VerifyAsync_Cancelled_ThrowsOperationCanceled()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => WorkloadVerifier.VerifyAsync(new SquareRootWorkload(), [1.0], cancellationToken: cancelled.Token));
    }

    [Fact]
    public void Options_MaxConcurrencyZero_Throws()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new WorkloadVerifierOptions { MaxConcurrency = 0 });
        Assert.Equal("value", ex.ParamName);
    }
}
