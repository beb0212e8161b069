using System.Diagnostics;
using System.Reflection;
using Concurrency.Tests.Shared;

namespace Concurrency.Processes.Tests;

/// <summary>When the pool's process dies — even by SIGKILL — its workers exit on their own.</summary>
public sealed class OrphanTests
{
    [Theory]
    [InlineData("idle")]
    [InlineData("busy")]
    public async Task Workers_ParentKilledWithSigkill_ExitWithinTwoSeconds(string state)
    {
        var parentDll = typeof(OrphanTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ParentProcessPath").Value!;
        Assert.True(File.Exists(parentDll), $"The parent program was not built: {parentDll}");
        var info = new ProcessStartInfo(Environment.ProcessPath!.EndsWith("dotnet", StringComparison.Ordinal) ? Environment.ProcessPath : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(parentDll);
        info.ArgumentList.Add("2");
        info.ArgumentList.Add(state);
        using var parent = Process.Start(info)!;
        try
        {
            var line = await parent.StandardOutput.ReadLineAsync().Bounded();
            Assert.Equal($"READY {parent.Id}", line);
            var workers = ProcessLeaks.ChildrenOf(parent.Id).Where(pid => ProcessLeaks.CommandLine(pid).Contains("--concurrency-worker", StringComparison.Ordinal)).ToList();
            Assert.Equal(2, workers.Count);

            parent.Kill(); // SIGKILL: no chance to clean up.
            await parent.WaitForExitAsync().Bounded();
            var killedAt = Stopwatch.GetTimestamp();

            var gone = await TestSupport.EventuallyAsync(() => workers.All(pid => !ProcessLeaks.IsAlive(pid)), TimeSpan.FromSeconds(2));
            Assert.True(gone, $"workers still alive {Stopwatch.GetElapsedTime(killedAt).TotalMilliseconds:F0} ms after the parent was killed");
        }
        finally
        {
            if (!parent.HasExited)
            {
                parent.Kill(entireProcessTree: true);
            }
        }
    }
}
