using System.Collections.Concurrent;
using Concurrency.Internal;

namespace Concurrency.Orleans.Internal;

/// <summary>Encodes a batch's claimed items into a <see cref="WorkRequest"/> and settles them from the <see cref="WorkResponse"/>.</summary>
internal abstract class BatchCodec
{
    private static readonly ConcurrentDictionary<Type, BatchCodec> Codecs = new();

    /// <summary>Returns the codec for <paramref name="batch"/>'s input and result types.</summary>
    public static BatchCodec For(WorkBatch batch) =>
        Codecs.GetOrAdd(batch.GetType(), static t => (BatchCodec)Activator.CreateInstance(typeof(BatchCodec<,>).MakeGenericType(t.GetGenericArguments()))!);

    /// <summary>Encodes the items at <paramref name="indices"/>.</summary>
    /// <exception cref="NotSupportedException">The workload or an input cannot be serialized.</exception>
    public abstract WorkRequest Encode(WorkBatch batch, int[] indices, int workerId, IPayloadSerializer serializer);

    /// <summary>Settles the items at <paramref name="indices"/> from <paramref name="response"/>; returns how many succeeded.</summary>
    public abstract int Settle(WorkBatch batch, int[] indices, WorkResponse response, IPayloadSerializer serializer, Concurrency.Telemetry.ExecutorTelemetry telemetry);
}

/// <summary>The <see cref="BatchCodec"/> of <typeparamref name="TInput"/> → <typeparamref name="TResult"/>.</summary>
internal sealed class BatchCodec<TInput, TResult> : BatchCodec
{
    public override WorkRequest Encode(WorkBatch batch, int[] indices, int workerId, IPayloadSerializer serializer)
    {
        var typed = (WorkBatch<TInput, TResult>)batch;
        var type = batch.WorkloadType;
        var inputs = new TInput[indices.Length];
        for (var i = 0; i < indices.Length; i++)
        {
            inputs[i] = typed.Inputs[indices[i]];
        }

        byte[] workload;
        byte[] payload;
        try
        {
            workload = serializer.Serialize(type, batch.WorkloadObject);
            payload = serializer.Serialize(inputs);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new NotSupportedException(
                $"Workload {type.FullName} or its inputs ({typeof(TInput).FullName}) cannot be serialized to run in the cluster: {ex.Message} " +
                "Inputs and the workload's public state travel as MessagePack (contractless): use public properties of serializable types.", ex);
        }

        return new WorkRequest
        {
            WorkloadType = type.FullName ?? type.Name,
            WorkloadAssembly = type.Assembly.GetName().Name ?? string.Empty,
            InputType = typeof(TInput).FullName ?? typeof(TInput).Name,
            ResultType = typeof(TResult).FullName ?? typeof(TResult).Name,
            Workload = workload,
            Inputs = payload,
            WorkerId = workerId,
        };
    }

    public override int Settle(WorkBatch batch, int[] indices, WorkResponse response, IPayloadSerializer serializer, Concurrency.Telemetry.ExecutorTelemetry telemetry)
    {
        var typed = (WorkBatch<TInput, TResult>)batch;
        if (response.BatchFailure is { } failure)
        {
            foreach (var index in indices)
            {
                var error = new InvalidOperationException(failure);
                if (typed.TrySetException(index, error))
                {
                    telemetry.ItemFailed(error);
                }
            }

            return 0;
        }

        if (response.Statuses.Length != indices.Length)
        {
            foreach (var index in indices)
            {
                typed.TrySetException(index, new InvalidOperationException($"The silo answered {response.Statuses.Length} items for a batch of {indices.Length}; the client and the silos may run different versions of Concurrency.Orleans."));
            }

            return 0;
        }

        TResult[] results;
        try
        {
            results = response.Results is null ? new TResult[indices.Length] : serializer.Deserialize<TResult[]>(response.Results);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            var error = new NotSupportedException($"The results of workload {batch.WorkloadType.FullName} ({typeof(TResult).FullName}) could not be deserialized: {ex.Message}", ex);
            foreach (var index in indices)
            {
                typed.TrySetException(index, error);
            }

            return 0;
        }

        var succeeded = 0;
        var errors = response.Errors.ToDictionary(e => e.Index);
        for (var i = 0; i < indices.Length; i++)
        {
            switch (response.Statuses[i])
            {
                case ItemStatus.Succeeded:
                    if (typed.TrySetResult(indices[i], results[i]))
                    {
                        succeeded++;
                    }

                    break;
                case ItemStatus.Failed when errors.TryGetValue(i, out var e):
                    var thrown = new WorkloadException(e.Message, e.ExceptionType, e.StackTrace);
                    if (typed.TrySetException(indices[i], thrown))
                    {
                        telemetry.ItemFailed(thrown);
                    }

                    break;
                default:
                    if (typed.TrySetCanceled(indices[i]))
                    {
                        telemetry.ItemFailed(new OperationCanceledException());
                    }

                    break;
            }
        }

        return succeeded;
    }
}
