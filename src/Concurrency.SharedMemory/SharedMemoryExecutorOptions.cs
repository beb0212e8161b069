using Concurrency.Processes;

namespace Concurrency.SharedMemory;

/// <summary>Options of <see cref="SharedMemoryExecutor"/>: every setting of the process pool, whose promises it keeps.</summary>
/// <remarks>See <see cref="ProcessPoolExecutorOptions"/> for the settings and their defaults.</remarks>
public sealed class SharedMemoryExecutorOptions : ProcessPoolExecutorOptions
{
}
