using Concurrency.Processes.Internal;

namespace Concurrency.Processes.Tests;

/// <summary>The thread that reads a worker's frames: whatever handling them throws ends that worker, never the parent.</summary>
public sealed class WorkerReaderTests
{
    [Fact]
    public async Task StartReader_HandlingAFrameThrowsAnUnexpectedException_KillsTheWorkerForAProtocolErrorNamingIt()
    {
        var worker = WorkerProcess.Start(7, WorkerLaunch.ForThisApp, 1, TypeGate.NameOf(typeof(MessagePackWorkSerializer)), null, 0, 0, transport: null, (_, _) => { });
        var ended = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            worker.StartReader((_, type, _) => throw new NotSupportedException($"No {type} frame expected."), (_, error) => ended.TrySetResult(error));

            var error = await ended.Task.Bounded();

            Assert.IsType<NotSupportedException>(error);
            Assert.Equal(KillReason.ProtocolError, worker.KillReason);
            Assert.Equal("Malformed message: handling a Ready frame threw System.NotSupportedException: No Ready frame expected.", worker.ProtocolErrorMessage);
            await worker.Exited.Bounded();
            Assert.Equal(137, worker.WaitForExitCode(TimeSpan.FromSeconds(10)));
        }
        finally
        {
            worker.Progress.Dispose();
            worker.Process.Dispose();
        }

        TestSupport.AssertNoWorkers();
    }
}
