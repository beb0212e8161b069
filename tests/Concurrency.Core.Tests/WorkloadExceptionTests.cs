using System.Runtime.CompilerServices;

namespace Concurrency.Core.Tests;

public sealed class WorkloadExceptionTests
{
    [Fact]
    public void FromInProcess_ThrownException_CarriesTypeStackAndInner()
    {
        var original = Catch(ThrowingMethodForTheStack);

        var ex = WorkloadException.FromInProcess(typeof(SampleWorkload), original);

        Assert.Same(original, ex.InnerException);
        Assert.Equal("System.ArgumentException", ex.RemoteExceptionType);
        Assert.NotNull(ex.RemoteStackTrace);
        Assert.Contains(nameof(ThrowingMethodForTheStack), ex.RemoteStackTrace, StringComparison.Ordinal);
        Assert.Equal(original.StackTrace, ex.RemoteStackTrace);
    }

    [Fact]
    public void FromInProcess_Always_FormatsMessageWithWorkloadTypeExceptionTypeAndMessage()
    {
        var original = Catch(ThrowingMethodForTheStack);

        var ex = WorkloadException.FromInProcess(typeof(SampleWorkload), original);

        Assert.Equal(
            "Workload Concurrency.Core.Tests.WorkloadExceptionTests+SampleWorkload threw System.ArgumentException: bad input (Parameter 'input')",
            ex.Message);
    }

    [Fact]
    public void FormatMessage_Always_UsesTheSharedFormat()
    {
        Assert.Equal("Workload My.Work threw System.InvalidOperationException: boom", WorkloadException.FormatMessage("My.Work", "System.InvalidOperationException", "boom"));
    }

    [Fact]
    public void Constructor_Default_HasMessageAndExceptionType()
    {
        var ex = new WorkloadException();

        Assert.Equal("The workload threw an exception.", ex.Message);
        Assert.Equal("System.Exception", ex.RemoteExceptionType);
        Assert.Null(ex.RemoteStackTrace);
        Assert.Null(ex.InnerException);
    }

    [Fact]
    public void Constructor_MessageOnly_ReportsSystemException()
    {
        var ex = new WorkloadException("m");

        Assert.Equal("m", ex.Message);
        Assert.Equal("System.Exception", ex.RemoteExceptionType);
        Assert.Null(ex.RemoteStackTrace);
    }

    [Fact]
    public void Constructor_WithInnerNeverThrown_HasTypeAndNoStack()
    {
        var inner = new FormatException("f");

        var ex = new WorkloadException("m", inner);

        Assert.Equal("System.FormatException", ex.RemoteExceptionType);
        Assert.Null(ex.RemoteStackTrace);
        Assert.Same(inner, ex.InnerException);
    }

    [Fact]
    public void Constructor_Remote_KeepsTypeAndStackAsText()
    {
        var ex = new WorkloadException("m", "My.RemoteException", "   at My.Workload.Execute()");

        Assert.Equal("m", ex.Message);
        Assert.Equal("My.RemoteException", ex.RemoteExceptionType);
        Assert.Equal("   at My.Workload.Execute()", ex.RemoteStackTrace);
        Assert.Null(ex.InnerException);
    }

    [Fact]
    public void ToString_Remote_ShowsTheRemoteTypeAndStackThenTheLocalStack()
    {
        var ex = Catch(() => throw new WorkloadException("m", "My.RemoteException", "   at My.Workload.Execute()"));

        var lines = ex.ToString().Split(Environment.NewLine);

        Assert.Equal("Concurrency.WorkloadException: m ---> My.RemoteException (thrown where the workload ran)", lines[0]);
        Assert.Equal("   at My.Workload.Execute()", lines[1]);
        Assert.Equal("   --- End of remote exception stack trace ---", lines[2]);
        Assert.Contains(nameof(ToString_Remote_ShowsTheRemoteTypeAndStackThenTheLocalStack), lines[3], StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_InProcess_ShowsTheInnerExceptionOnce()
    {
        var ex = WorkloadException.FromInProcess(typeof(SampleWorkload), Catch(ThrowingMethodForTheStack));

        var text = ex.ToString();

        Assert.Single(text.Split(nameof(ThrowingMethodForTheStack)).Skip(1));
        Assert.Contains(" ---> System.ArgumentException: bad input", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_RemoteWithNullType_ThrowsArgumentNullException()
    {
        var ex = Assert.Throws<ArgumentNullException>(() => new WorkloadException("m", (string)null!, null));

        Assert.Equal("remoteExceptionType", ex.ParamName);
    }

    private static Exception Catch(Action action)
    {
        try
        {
            action();
        }
        catch (Exception ex)
        {
            return ex;
        }

        throw new InvalidOperationException("The action did not throw.");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowingMethodForTheStack() => throw new ArgumentException("bad input", "input");

    private sealed class SampleWorkload : IWorkload<int, int>
    {
        public int Execute(int input, WorkContext context) => input;
    }
}
