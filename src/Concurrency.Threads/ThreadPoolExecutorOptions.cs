namespace Concurrency.Threads;

/// <summary>Options of <see cref="ThreadPoolExecutor"/>.</summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>Setting</term><description>Default</description></listheader>
/// <item><term><see cref="WorkExecutorOptions.MaxConcurrency"/></term><description>The processor count: one dedicated thread per core.</description></item>
/// <item><term><see cref="WorkExecutorOptions.QueueCapacity"/></term><description>1024 batches.</description></item>
/// <item><term><see cref="WorkExecutorOptions.ShutdownTimeout"/></term><description>30 seconds.</description></item>
/// </list>
/// </remarks>
public sealed class ThreadPoolExecutorOptions : WorkExecutorOptions
{
}
