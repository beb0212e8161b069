using System.Diagnostics;
using Concurrency.Internal;
using Concurrency.Telemetry;

namespace Concurrency.Orleans.Internal;

/// <summary>Runs a decoded batch on the silo, with the workload's own generic types.</summary>
internal interface IBatchRunner
{
    /// <summary>Decodes, runs and encodes a batch. Runs on the calling thread: call it from the thread pool.</summary>
    WorkResponse Run(WorkRequest request, IPayloadSerializer serializer, ExecutorTelemetry telemetry, CancellationToken cancellationToken);
}

/// <summary>The <see cref="IBatchRunner"/> of workloads of <typeparamref name="TInput"/> → <typeparamref name="TResult"/>.</summary>
internal sealed class BatchRunner<TInput, TResult>(Type workloadType) : IBatchRunner
{
    private static readonly Func<bool> NeverStop = static () => false;

    public WorkResponse Run(WorkRequest request, IPayloadSerializer serializer, ExecutorTelemetry telemetry, CancellationToken cancellationToken)
    {
        IWorkload<TInput, TResult> workload;
        TInput[] inputs;
        try
        {
            workload = (IWorkload<TInput, TResult>)(serializer.Deserialize(workloadType, request.Workload)
                ?? throw new InvalidOperationException("the workload deserialized to null"));
            inputs = serializer.Deserialize<TInput[]>(request.Inputs);
        }
#pragma warning disable CA1031 // A payload that does not decode fails the batch with a message, not the grain.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return new WorkResponse { BatchFailure = $"The silo could not decode the payload of workload {workloadType.FullName}: {ex.GetType().FullName}: {ex.Message}" };
        }

        var batch = new WorkBatch<TInput, TResult>(workload, inputs, cancellationToken);
        var started = Stopwatch.GetTimestamp();
        batch.RunInProcess(request.WorkerId, NeverStop, telemetry, CancellationToken.None);
        var elapsed = Stopwatch.GetElapsedTime(started);

        var statuses = new ItemStatus[inputs.Length];
        var results = new TResult[inputs.Length];
        List<ItemError>? errors = null;
        for (var i = 0; i < inputs.Length; i++)
        {
            switch (batch.GetException(i)?.SourceException)
            {
                case null:
                    results[i] = batch.GetResultOrThrow(i);
                    break;
                case OperationCanceledException:
                    statuses[i] = ItemStatus.Canceled;
                    break;
                case WorkloadException failure:
                    statuses[i] = ItemStatus.Failed;
                    (errors ??= []).Add(new ItemError
                    {
                        Index = i,
                        Message = failure.Message,
                        ExceptionType = failure.RemoteExceptionType,
                        StackTrace = failure.RemoteStackTrace,
                    });
                    break;
                case var other:
                    statuses[i] = ItemStatus.Failed;
                    (errors ??= []).Add(new ItemError
                    {
                        Index = i,
                        Message = WorkloadException.FormatMessage(workloadType.FullName ?? workloadType.Name, other.GetType().FullName ?? other.GetType().Name, other.Message),
                        ExceptionType = other.GetType().FullName ?? other.GetType().Name,
                        StackTrace = other.StackTrace,
                    });
                    break;
            }
        }

        byte[] encoded;
        try
        {
            encoded = serializer.Serialize(results);
        }
#pragma warning disable CA1031 // A result that does not encode fails the batch with a message.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return new WorkResponse { BatchFailure = $"The silo could not serialize the results of workload {workloadType.FullName} ({typeof(TResult).FullName}): {ex.GetType().FullName}: {ex.Message}" };
        }

        return new WorkResponse
        {
            Statuses = statuses,
            Results = encoded,
            Errors = errors?.ToArray() ?? [],
            ExecutionTime = elapsed,
            ExecutedCount = batch.ExecutedCount,
        };
    }
}
