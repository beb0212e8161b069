using System.Diagnostics;
using System.Reflection;
using Concurrency.Tests;
using Concurrency.Testing;

namespace Concurrency.Processes.Tests;

/// <summary>When the pool's process dies — even by SIGKILL — its workers exit on their own, and what it left in /dev/shm is reclaimed.</summary>
/// <remarks>Written once for every executor built on the process pool; a sealed subclass per executor says which (<see cref="PoolKind"/>).</remarks>
public abstract class OrphanTests
{
    private readonly PoolKind _kind;

    private protected OrphanTests(PoolKind kind) => _kind = kind;

    /// <param name="state">Whether the workers are idle or running an item when the parent dies.</param>
    /// <param name="launch">How the parent runs: <c>dotnet app.dll</c>, or its apphost (as <c>dotnet run</c> does).</param>
    [Theory]
    [InlineData("idle", "dotnet")]
    [InlineData("busy", "dotnet")]
    [InlineData("idle", "apphost")]
    public async Task Workers_ParentKilledWithSigkill_ExitWithinTwoSecondsAndTheNextPoolReclaimsItsFiles(string state, string launch)
    {
        using var parent = TestSupport.StartParentProcess(_kind.ParentArgument, state, launch);
        try
        {
            var line = await parent.StandardOutput.ReadLineAsync().Bounded();
            Assert.Equal($"READY {parent.Id}", line);
            var workers = LeakCheck.ChildrenWithCommandLine("--concurrency-worker", parent.Id).ToList();
            Assert.Equal(2, workers.Count);
            Assert.Equal(_kind.ParentProcessSegments, SharedMemoryLeaks.FilesOf(parent.Id).Count);

            parent.Kill(); // SIGKILL: no chance to clean up.
            await parent.WaitForExitAsync().Bounded();
            var killedAt = Stopwatch.GetTimestamp();

            var gone = await TestSupport.EventuallyAsync(() => workers.All(pid => !LeakCheck.IsAlive(pid)), TimeSpan.FromSeconds(2));
            Assert.True(gone, $"workers still alive {Stopwatch.GetElapsedTime(killedAt).TotalMilliseconds:F0} ms after the parent was killed");

            // Nobody unlinked what the parent held: the next pool reclaims it when it starts.
            await using (_kind.Create())
            {
                Assert.Empty(SharedMemoryLeaks.FilesOf(parent.Id));
            }
        }
        finally
        {
            if (!parent.HasExited)
            {
                parent.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task Workers_ParentKilledWhileTheyStart_ExitWithinTwoSeconds()
    {
        using var parent = TestSupport.StartParentProcess(_kind.ParentArgument, "starting");
        var workers = new List<int>();
        try
        {
            var line = await parent.StandardOutput.ReadLineAsync().Bounded();
            Assert.Equal($"READY {parent.Id}", line);
            workers.AddRange(LeakCheck.ChildrenWithCommandLine("--concurrency-worker", parent.Id));
            Assert.Equal(2, workers.Count);

            // The workers are in their initializer (which never returns): they read nothing from the pool yet.
            parent.Kill(); // SIGKILL: no chance to clean up.
            await parent.WaitForExitAsync().Bounded();
            var killedAt = Stopwatch.GetTimestamp();

            var gone = await TestSupport.EventuallyAsync(() => workers.All(pid => !LeakCheck.IsAlive(pid)), TimeSpan.FromSeconds(2));
            Assert.True(gone, $"workers still alive {Stopwatch.GetElapsedTime(killedAt).TotalMilliseconds:F0} ms after the parent was killed");
        }
        finally
        {
            if (!parent.HasExited)
            {
                parent.Kill(entireProcessTree: true);
            }

            foreach (var pid in workers.Where(LeakCheck.IsAlive))
            {
                Process.GetProcessById(pid).Kill();
            }

            // What the parent left in /dev/shm is reclaimed by the next pool.
            await using (_kind.Create())
            {
                Assert.Empty(SharedMemoryLeaks.FilesOf(parent.Id));
            }
        }
    }
}
