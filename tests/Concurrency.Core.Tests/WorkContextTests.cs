namespace Concurrency.Core.Tests;

public sealed class WorkContextTests
{
    [Fact]
    public void Constructor_WithValues_ExposesThem()
    {
        using var cts = new CancellationTokenSource();

        var context = new WorkContext(3, cts.Token);

        Assert.Equal(3, context.WorkerId);
        Assert.Equal(cts.Token, context.CancellationToken);
    }

    [Fact]
    public void Constructor_NoToken_UsesNone()
    {
        var context = new WorkContext(0);

        Assert.Equal(CancellationToken.None, context.CancellationToken);
        Assert.False(context.CancellationToken.CanBeCanceled);
    }

    [Fact]
    public void Constructor_NegativeWorkerId_ThrowsArgumentOutOfRangeException()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new WorkContext(-1));

        Assert.Equal("workerId", ex.ParamName);
        Assert.Equal(-1, ex.ActualValue);
    }

    [Fact]
    public void Constructor_ForUnitTestingAWorkload_RunsIt()
    {
        var result = new Doubler().Execute(21, new WorkContext(0));

        Assert.Equal(42, result);
    }

    private sealed class Doubler : IWorkload<int, int>
    {
        public int Execute(int input, WorkContext context) => input * 2;
    }
}
