using Concurrency.Internal;

namespace Concurrency.Core.Tests.Internal;

public sealed class InFlightGateTests
{
    [Fact]
    public void TryTake_PermitsLeft_TakesOneEach()
    {
        var gate = new InFlightGate(2);

        Assert.True(gate.TryTake());
        Assert.True(gate.TryTake());
        Assert.False(gate.TryTake());
        Assert.Equal(0, gate.Available);
    }

    [Fact]
    public void Release_AfterExhaustion_MakesPermitsAvailable()
    {
        var gate = new InFlightGate(1);
        Assert.True(gate.TryTake());

        gate.Release(3);

        Assert.Equal(3, gate.Available);
    }

    [Fact]
    public void WaitAsync_PermitAvailable_CompletesAtOnce()
    {
        var gate = new InFlightGate(1);

        Assert.True(gate.WaitAsync(CancellationToken.None).IsCompletedSuccessfully);
    }

    [Fact]
    public async Task WaitAsync_NoPermit_CompletesOnRelease()
    {
        var gate = new InFlightGate(1);
        Assert.True(gate.TryTake());

        var wait = gate.WaitAsync(CancellationToken.None);
        Assert.False(wait.IsCompleted);
        gate.Release(1);

        await wait.WaitAsync(Hammer.Timeout);
        Assert.True(gate.TryTake());
    }

    [Fact]
    public async Task WaitAsync_Cancelled_ThrowsOperationCanceledException()
    {
        var gate = new InFlightGate(1);
        Assert.True(gate.TryTake());
        using var cts = new CancellationTokenSource();

        var wait = gate.WaitAsync(cts.Token);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.WaitAsync(Hammer.Timeout));
    }

    [Fact]
    public async Task WaitAsync_AfterACancelledWait_StillWakesOnRelease()
    {
        var gate = new InFlightGate(1);
        Assert.True(gate.TryTake());
        using (var cts = new CancellationTokenSource())
        {
            var abandoned = gate.WaitAsync(cts.Token);
            await cts.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned.WaitAsync(Hammer.Timeout));
        }

        var wait = gate.WaitAsync(CancellationToken.None);
        gate.Release(1);

        await wait.WaitAsync(Hammer.Timeout);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void TryTakeWaitAsyncRelease_ProducerAgainstConsumer_NoLostWakeUpAndBoundKept(int permits)
    {
        // The producer parks on WaitAsync whenever it runs out of permits; the consumer releases one per
        // item on another thread. A lost wake-up leaves the producer parked: the bounded wait fails.
        const int total = 100_000;
        var gate = new InFlightGate(permits);
        var produced = 0;
        var maxAhead = 0;

        Hammer.Run(2, t =>
        {
            if (t == 0)
            {
                for (var i = 0; i < total; i++)
                {
                    while (!gate.TryTake())
                    {
                        Assert.True(gate.WaitAsync(CancellationToken.None).Wait(Hammer.Timeout), $"Producer not woken at item {i}.");
                    }

                    Interlocked.Increment(ref produced);
                }
            }
            else
            {
                var deadline = DateTime.UtcNow + Hammer.Timeout;
                for (var consumed = 0; consumed < total;)
                {
                    var ahead = Volatile.Read(ref produced) - consumed;
                    if (ahead > 0)
                    {
                        maxAhead = Math.Max(maxAhead, ahead);
                        consumed++;
                        gate.Release(1);
                    }
                    else
                    {
                        Assert.True(DateTime.UtcNow < deadline, $"Consumer starved at item {consumed}.");
                        Thread.Yield();
                    }
                }
            }
        });

        Assert.Equal(total, produced);
        Assert.InRange(maxAhead, 1, permits);
        Assert.Equal(permits, gate.Available);
    }
}
