namespace Concurrency.Processes;

/// <summary>
/// Runs once in each worker process when it starts, before it takes any item: load a model, warm a
/// cache, set up native libraries. Named by <see cref="ProcessPoolExecutorOptions.WorkerInitializer"/>.
/// </summary>
/// <remarks>
/// The type must be public, non-abstract, with a public parameterless constructor, and defined in the
/// application's own assemblies. If <see cref="Initialize"/> throws, the worker does not start: items fail
/// with an <see cref="InvalidOperationException"/> that carries the initializer's exception type, message
/// and stack trace, and the pool waits before it tries to start a worker again, instead of respawning in a loop.
/// </remarks>
public interface IWorkerInitializer
{
    /// <summary>Prepares the worker process.</summary>
    /// <param name="context">The worker's id (<see cref="WorkContext.WorkerId"/>, as its items will see it).</param>
    void Initialize(WorkContext context);
}
