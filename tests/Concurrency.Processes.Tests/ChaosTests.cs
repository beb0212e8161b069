using Concurrency.Testing;

namespace Concurrency.Processes.Tests;

/// <summary>Stress: many items, a tenth of which kill their worker in various ways. Slow (tens of seconds: about 200 worker restarts).</summary>
/// <remarks>Written once for every executor built on the process pool; a sealed subclass per executor says which (<see cref="PoolKind"/>).</remarks>
public abstract class ChaosTests
{
    private readonly PoolKind _kind;

    private protected ChaosTests(PoolKind kind) => _kind = kind;

    [Fact]
    [Trait("Category", "Slow")]
    public async Task MapOutcomesAsync_TenPercentOfItemsCrashTheirWorker_EveryItemEndsOnceAsResultOrCrash()
    {
        var random = new Random(12345);
        CrashMode[] modes = [CrashMode.FailFast, CrashMode.Exit0, CrashMode.Exit42, CrashMode.KillSelf, CrashMode.Segfault, CrashMode.UnhandledThreadException];
        var inputs = Enumerable.Range(0, 2000)
            .Select(i => (Value: i, Mode: random.NextDouble() < 0.1 ? modes[random.Next(modes.Length)] : CrashMode.None))
            .ToList();

        await using (var pool = _kind.Create(workers: 2))
        {
            var outcomes = await pool.MapOutcomesAsync(new MaybeCrash(), inputs, new MapOptions { Ordered = false })
                .ToListAsync().AsTask().WaitAsync(TimeSpan.FromMinutes(4));

            Assert.Equal(inputs.Count, outcomes.Count);
            Assert.Equal(Enumerable.Range(0, inputs.Count).Select(i => (long)i), outcomes.Select(o => o.Index).Order());
            foreach (var outcome in outcomes)
            {
                var input = inputs[(int)outcome.Index];
                if (input.Mode == CrashMode.None)
                {
                    Assert.True(outcome.Succeeded, $"item {outcome.Index} failed: {outcome.Exception}");
                    Assert.Equal(input.Value * 2, outcome.Result);
                }
                else
                {
                    Assert.IsType<WorkerCrashedException>(outcome.Exception);
                }
            }

            // The pool is not broken afterwards.
            Assert.Equal(2, await pool.SubmitAsync(new AddOne(), 1).Bounded());
        }

        PoolKind.AssertNothingLeft();
        Assert.Empty(LeakCheck.SharedMemoryFiles("concurrency-progress-"));
    }
}
