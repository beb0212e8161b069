using Concurrency.Internal;
using Concurrency.Telemetry;

namespace Concurrency.Core.Tests.Internal;

/// <summary>Races on the internal machinery: every item settles exactly once, whoever wins.</summary>
public sealed class StressTests
{
    private const int Rounds = 5_000;

    [Fact]
    public void WorkBatch_ResultRacesCancel_ItemSettlesExactlyOnce()
    {
        var batches = new WorkBatch<int, int>[Rounds];
        var sources = new CancellationTokenSource[Rounds];
        var completions = new int[Rounds];
        var resultWon = new bool[Rounds];
        for (var i = 0; i < Rounds; i++)
        {
            sources[i] = new CancellationTokenSource();
            var index = i;
            batches[i] = new WorkBatch<int, int>(new Identity(), [i], sources[i].Token) { OnCompleted = _ => Interlocked.Increment(ref completions[index]) };
            batches[i].ListenForCancellation();
        }

        using var step = new Barrier(2);
        Hammer.Run(2, t =>
        {
            for (var i = 0; i < Rounds; i++)
            {
                step.SignalAndWait(Hammer.Timeout);
                if (t == 0)
                {
                    // A worker: claim, then settle with a result.
                    resultWon[i] = batches[i].TryClaim(0) && batches[i].TrySetResult(0, i);
                }
                else
                {
                    sources[i].Cancel();
                }
            }
        });

        for (var i = 0; i < Rounds; i++)
        {
            Assert.True(batches[i].IsCompleted);
            Assert.True(batches[i].Completion.IsCompletedSuccessfully);
            Assert.Equal(1, completions[i]);
            if (resultWon[i])
            {
                Assert.Equal(i, batches[i].GetResultOrThrow(0));
            }
            else
            {
                Assert.ThrowsAny<OperationCanceledException>(() => batches[i].GetResultOrThrow(0));
            }

            sources[i].Dispose();
        }
    }

    [Fact]
    public void WorkBatch_ThreeSettlersOnAClaimedItem_ExactlyOneWins()
    {
        var batches = new WorkBatch<int, int>[Rounds];
        var completions = new int[Rounds];
        var wins = new int[Rounds];
        var winner = new int[Rounds];
        for (var i = 0; i < Rounds; i++)
        {
            var index = i;
            batches[i] = new WorkBatch<int, int>(new Identity(), [i], CancellationToken.None) { OnCompleted = _ => Interlocked.Increment(ref completions[index]) };
            Assert.True(batches[i].TryClaim(0));
        }

        using var step = new Barrier(3);
        Hammer.Run(3, t =>
        {
            for (var i = 0; i < Rounds; i++)
            {
                step.SignalAndWait(Hammer.Timeout);
                var won = t switch
                {
                    0 => batches[i].TrySetResult(0, -i),
                    1 => batches[i].TrySetException(0, new IOException("crash")),
                    _ => batches[i].TrySetCanceled(0),
                };
                if (won)
                {
                    Interlocked.Increment(ref wins[i]);
                    winner[i] = t;
                }
            }
        });

        for (var i = 0; i < Rounds; i++)
        {
            Assert.Equal(1, wins[i]);
            Assert.Equal(1, completions[i]);
            switch (winner[i])
            {
                case 0:
                    Assert.Equal(-i, batches[i].GetResultOrThrow(0));
                    break;
                case 1:
                    Assert.Throws<IOException>(() => batches[i].GetResultOrThrow(0));
                    break;
                default:
                    Assert.ThrowsAny<OperationCanceledException>(() => batches[i].GetResultOrThrow(0));
                    break;
            }
        }
    }

    [Fact]
    public void WorkBatch_RunInProcessWhileCancelled_EverySettledOnceResultsArePrefix()
    {
        var telemetry = new ExecutorTelemetry("Test", "stress");
        const int items = 2_000;
        for (var round = 0; round < 50; round++)
        {
            using var cts = new CancellationTokenSource();
            var completions = 0;
            var inputs = Enumerable.Range(0, items).ToArray();
            var batch = new WorkBatch<int, int>(new Identity(), inputs, cts.Token) { OnCompleted = _ => Interlocked.Increment(ref completions) };
            batch.ListenForCancellation();

            Hammer.Run(2, t =>
            {
                if (t == 0)
                {
                    batch.RunInProcess(0, () => false, telemetry, CancellationToken.None);
                }
                else
                {
                    Thread.SpinWait(round * 200);
                    cts.Cancel();
                }
            });

            Assert.True(batch.IsCompleted);
            Assert.Equal(1, completions);
            var firstCancelled = items;
            for (var i = 0; i < items; i++)
            {
                if (batch.GetException(i) is { } failure)
                {
                    Assert.IsAssignableFrom<OperationCanceledException>(failure.SourceException);
                    firstCancelled = Math.Min(firstCancelled, i);
                }
                else
                {
                    Assert.True(i < firstCancelled, $"Item {i} has a result after cancelled item {firstCancelled}.");
                    Assert.Equal(i, batch.GetResultOrThrow(i));
                }
            }
        }
    }

    [Fact]
    public void WorkBatch_ManyWorkersClaimingOneBatch_EachItemRunsOnce()
    {
        const int items = 50_000;
        var runs = new int[items];
        var batch = new WorkBatch<int, int>(new RecordingWorkload(runs), Enumerable.Range(0, items).ToArray(), CancellationToken.None);

        Hammer.Run(Hammer.ThreadCount, t =>
        {
            for (var i = 0; i < items; i++)
            {
                if (batch.TryClaim(i))
                {
                    batch.TrySetResult(i, batch.Workload.Execute(batch.Inputs[i], new WorkContext(t)));
                }
            }
        });

        Assert.True(batch.IsCompleted);
        Assert.All(runs, r => Assert.Equal(1, r));
        Assert.Equal(Enumerable.Range(0, items), Enumerable.Range(0, items).Select(batch.GetResultOrThrow));
    }

    private sealed class RecordingWorkload(int[] runs) : IWorkload<int, int>
    {
        public int Execute(int input, WorkContext context)
        {
            Interlocked.Increment(ref runs[input]);
            return input;
        }
    }
}
