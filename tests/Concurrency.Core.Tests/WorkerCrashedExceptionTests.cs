namespace Concurrency.Core.Tests;

public sealed class WorkerCrashedExceptionTests
{
    [Fact]
    public void Constructor_WithWorkerAndExitCode_ExposesThem()
    {
        var ex = new WorkerCrashedException("died", workerId: 3, exitCode: 137);

        Assert.Equal("died", ex.Message);
        Assert.Equal(3, ex.WorkerId);
        Assert.Equal(137, ex.ExitCode);
    }

    [Fact]
    public void Constructor_UnknownExitCode_IsNull()
    {
        var ex = new WorkerCrashedException("died", workerId: 0, exitCode: null);

        Assert.Null(ex.ExitCode);
    }

    [Fact]
    public void Constructor_Default_HasMessage()
    {
        var ex = new WorkerCrashedException();

        Assert.Equal("The worker died while running the item.", ex.Message);
        Assert.Null(ex.ExitCode);
    }

    [Fact]
    public void Constructor_WithInner_KeepsIt()
    {
        var inner = new IOException("pipe closed");

        var ex = new WorkerCrashedException("died", inner);

        Assert.Same(inner, ex.InnerException);
    }
}

public sealed class WorkTimeoutExceptionTests
{
    [Fact]
    public void Type_Always_IsATimeoutException()
    {
        Assert.IsAssignableFrom<TimeoutException>(new WorkTimeoutException());
    }

    [Fact]
    public void Constructor_Default_HasMessage()
    {
        Assert.Equal("The item ran past its timeout and was stopped.", new WorkTimeoutException().Message);
    }

    [Fact]
    public void Constructor_WithInner_KeepsMessageAndInner()
    {
        var inner = new OperationCanceledException();

        var ex = new WorkTimeoutException("late", inner);

        Assert.Equal("late", ex.Message);
        Assert.Same(inner, ex.InnerException);
    }
}
