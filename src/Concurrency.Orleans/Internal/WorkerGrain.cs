using Concurrency.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Concurrency;
using Orleans.Placement;
using Orleans.Runtime;

namespace Concurrency.Orleans.Internal;

/// <summary>
/// Runs batches of library workloads on a silo. Not reentrant: one batch at a time per activation, as a
/// worker slot. The batch runs on the .NET thread pool (<see cref="Task.Run(Action)"/>), never on the
/// Orleans scheduler, so CPU-heavy items do not stall the silo's messaging and other grains.
/// </summary>
/// <remarks>
/// Random placement spreads activations when the executor gives no placement hint; the executor normally
/// hints a silo per slot so that slots spread evenly. Idle activations are collected after two minutes:
/// every executor has its own.
/// </remarks>
[RandomPlacement]
[CollectionAgeLimit(Minutes = 2)]
internal sealed class WorkerGrain : Grain, IWorkerGrain
{
    private const string NotConfigured = "This silo does not run Concurrency workloads: call siloBuilder.AddConcurrencyWorkers() when configuring the silo.";

    private readonly WorkerServices? _services;
    private readonly SiloAddress _silo;
    private int _running;

    public WorkerGrain(IServiceProvider services, ILocalSiloDetails silo)
    {
        // Without the registration the activation still answers, with a message that says what to do.
        _services = services.GetService<WorkerServices>();
        _silo = silo.SiloAddress;
    }

    public async Task<WorkResponse> RunAsync(WorkRequest request, CancellationToken cancellationToken)
    {
        if (_services is null)
        {
            return new WorkResponse { BatchFailure = NotConfigured, Silo = _silo };
        }

        var resolution = _services.Catalog.Resolve(request);
        if (resolution.Runner is not { } runner)
        {
            return new WorkResponse { BatchFailure = resolution.Failure, Silo = _silo };
        }

        WorkResponse response;
        Volatile.Write(ref _running, 1);
        try
        {
            response = await Task.Run(() => runner.Run(request, _services.Serializer, _services.Telemetry, cancellationToken), CancellationToken.None).ConfigureAwait(true);
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }

        return new WorkResponse
        {
            Statuses = response.Statuses,
            Results = response.Results,
            Errors = response.Errors,
            BatchFailure = response.BatchFailure,
            ExecutionTime = response.ExecutionTime,
            ExecutedCount = response.ExecutedCount,
            Silo = _silo,
        };
    }

    public Task<WorkerStatus> PingAsync() => Task.FromResult(new WorkerStatus { Silo = _silo, Busy = Volatile.Read(ref _running) != 0 });
}

/// <summary>What <c>AddConcurrencyWorkers()</c> registers on a silo.</summary>
internal sealed class WorkerServices
{
    public WorkloadCatalog Catalog { get; } = new();

    public IPayloadSerializer Serializer { get; } = MessagePackPayloadSerializer.Instance;

    public ExecutorTelemetry Telemetry { get; } = new(OrleansExecutor.KindName, "silo");
}
