namespace Concurrency.Processes.Tests;

public sealed class SmokeTests
{
    [Fact]
    public async Task SubmitAsync_AddOne_ReturnsResult()
    {
        await using var pool = new ProcessPoolExecutor(new ProcessPoolExecutorOptions { MaxConcurrency = 2 });
        var result = await pool.SubmitAsync(new AddOne(), 41).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(42, result);
        var all = await pool.MapAsync(new AddOne(), Enumerable.Range(0, 10000)).ToListAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(Enumerable.Range(1, 10000), all);
    }
}
