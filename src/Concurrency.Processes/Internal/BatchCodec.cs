using System.Collections.Concurrent;
using System.Runtime.Serialization;
using Concurrency.Internal;
using Concurrency.Telemetry;

namespace Concurrency.Processes.Internal;

/// <summary>The parent's typed view of the batches of one workload type: claims, encodes inputs, decodes outcomes.</summary>
internal abstract class BatchCodec
{
    private static readonly ConcurrentDictionary<(Type Batch, Type Workload), object> Cache = new();

    public abstract Type WorkloadType { get; }

    public abstract Type InputType { get; }

    public abstract Type ResultType { get; }

    public string WorkloadName => WorkloadType.FullName ?? WorkloadType.Name;

    /// <summary>Gets the codec of <paramref name="batch"/>'s workload type.</summary>
    /// <exception cref="InvalidOperationException">The workload type cannot run in a worker process; the message says why and what to do.</exception>
    public static BatchCodec For(WorkBatch batch)
    {
        var entry = Cache.GetOrAdd((batch.GetType(), batch.WorkloadType), static key => Create(key.Batch, key.Workload));
        return entry as BatchCodec ?? throw new InvalidOperationException((string)entry);
    }

    /// <summary>Claims the batch's pending items for <paramref name="assignment"/>; returns how many.</summary>
    public static int Claim(Assignment assignment)
    {
        var batch = assignment.Batch;
        var count = batch.Count;
        int[]? positions = null;
        var claimed = 0;
        for (var i = 0; i < count; i++)
        {
            if (batch.TryClaim(i))
            {
                if (positions is not null)
                {
                    positions[claimed] = i;
                }

                claimed++;
            }
            else if (positions is null)
            {
                // First gap (every item before it was claimed): from now on positions differ from indexes.
                positions = new int[count];
                for (var j = 0; j < i; j++)
                {
                    positions[j] = j;
                }
            }
        }

        if (positions is not null)
        {
            Array.Resize(ref positions, claimed);
        }

        assignment.Positions = positions;
        assignment.Count = claimed;
        return claimed;
    }

    /// <summary>Writes the Batch payload after (slot, seq, typeId): count, workload, inputs. Returns the number of items sent (0: none left to send).</summary>
    public abstract int WriteBatch(Assignment assignment, FrameBuffer frame, IWorkSerializer serializer, ExecutorTelemetry telemetry);

    /// <summary>Settles the items of a Results payload (after slot and seq).</summary>
    public abstract void ApplyResults(Assignment assignment, ref PayloadReader reader, IWorkSerializer serializer, ExecutorTelemetry telemetry, ResultFlags flags, int start, int count);

    private static object Create(Type batchType, Type workloadType)
    {
        var arguments = batchType.GetGenericArguments();
        var contract = typeof(IWorkload<,>).MakeGenericType(arguments);
        if (TypeGate.CheckCreatable(workloadType, contract) is { } problem)
        {
            return $"Workload type {workloadType.FullName} cannot run in a worker process: {problem}. A workload that runs in worker processes must be a public, " +
                   "non-abstract class with a public parameterless constructor, defined in the application's own assemblies; its public properties travel with it.";
        }

        return Activator.CreateInstance(typeof(BatchCodec<,,>).MakeGenericType(workloadType, arguments[0], arguments[1]))!;
    }
}

/// <summary>The codec of <typeparamref name="TWorkload"/>.</summary>
internal sealed class BatchCodec<TWorkload, TInput, TResult> : BatchCodec
    where TWorkload : IWorkload<TInput, TResult>
{
    public override Type WorkloadType => typeof(TWorkload);

    public override Type InputType => typeof(TInput);

    public override Type ResultType => typeof(TResult);

    public override int WriteBatch(Assignment assignment, FrameBuffer frame, IWorkSerializer serializer, ExecutorTelemetry telemetry)
    {
        var batch = (WorkBatch<TInput, TResult>)assignment.Batch;
        var mark = frame.Position;
        while (true)
        {
            var count = assignment.Count;
            if (count == 0)
            {
                return 0;
            }

            frame.WriteInt32(count);
            var stateAt = frame.Reserve(4);
            try
            {
                serializer.Serialize(frame, (TWorkload)batch.Workload);
            }
#pragma warning disable CA1031 // An unserializable workload fails the items, never the pool.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                frame.Position = mark;
                var failure = new SerializationException(
                    $"The workload {WorkloadName} cannot be serialized for a worker process: {Innermost(ex).Message} Its public properties travel with it: give them serializable types.", ex);
                FailAll(assignment, failure, telemetry);
                return 0;
            }

            PatchLength(frame, stateAt);
            var inputsAt = frame.Reserve(4);
            try
            {
                serializer.Serialize(frame, Inputs(batch, assignment));
                PatchLength(frame, inputsAt);
                return count;
            }
#pragma warning disable CA1031
            catch (Exception)
#pragma warning restore CA1031
            {
                frame.Position = mark;
                if (!DropUnserializableInputs(assignment, frame, serializer, telemetry))
                {
                    // Every input serializes alone, but not together: fail the lot rather than loop.
                    FailAll(assignment, new SerializationException($"The inputs of {WorkloadName} ({TypeGate.Describe(typeof(TInput))}[]) cannot be serialized together."), telemetry);
                    return 0;
                }
            }
        }
    }

    public override void ApplyResults(Assignment assignment, ref PayloadReader reader, IWorkSerializer serializer, ExecutorTelemetry telemetry, ResultFlags flags, int start, int count)
    {
        var batch = (WorkBatch<TInput, TResult>)assignment.Batch;
        var (ticks, executed, statusBytes, failures, results, resultsError) = DecodeResults(ref reader, serializer, flags, start, count, assignment.Count);
        ReadOnlySpan<byte> statuses = statusBytes;
        Exception? resultsFailure = resultsError is null ? null : new SerializationException(
            $"The results of {WorkloadName} ({TypeGate.Describe(typeof(TResult))}) sent by worker {assignment.Worker.Id} cannot be deserialized: {Innermost(resultsError).Message}", resultsError);

        // Timing first: the sizer reads it when the last item settles.
        if (ticks > long.MaxValue - batch.ExecutionTicks)
        {
            throw new InvalidDataException($"Malformed message: {ticks} more ticks overflow the batch's execution time of {batch.ExecutionTicks} ticks.");
        }

        batch.ExecutionTicks += ticks;
        batch.ExecutedCount = checked(batch.ExecutedCount + executed);
        telemetry.ItemsStarted(executed);
        var completed = 0;
        for (var k = 0; k < count; k++)
        {
            var index = assignment.IndexAt(start + k);
            var status = statuses.IsEmpty ? ItemStatus.Ok : (ItemStatus)statuses[k];
            switch (status)
            {
                case ItemStatus.Ok when resultsFailure is null && results is not null:
                    if (batch.TrySetResult(index, results[k]))
                    {
                        completed++;
                    }

                    break;
                case ItemStatus.Ok:
                    var failure = resultsFailure ?? new InvalidDataException("Malformed message: a successful item without a result.");
                    batch.TrySetException(index, failure);
                    telemetry.ItemFailed(failure);
                    break;
                case ItemStatus.Canceled:
                    batch.TrySetCanceled(index);
                    telemetry.ItemFailed(new OperationCanceledException());
                    break;
                case ItemStatus.NotRun:
                    batch.TryUnclaim(index);
                    assignment.HasNotRun = true;
                    break;
                default:
                    batch.TrySetException(index, failures![k]!);
                    telemetry.ItemFailed(failures[k]!);
                    break;
            }
        }

        telemetry.ItemsCompleted(completed);
    }

    /// <summary>
    /// Decodes the rest of a Results payload (after slot, seq, start, count and flags) for positions
    /// [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) of the <paramref name="sent"/> items sent.
    /// Every field is the worker's claim: the method returns values checked against each other and against
    /// <paramref name="sent"/>, or throws <see cref="InvalidDataException"/>, and nothing else. Results that cannot be
    /// deserialized are not a protocol error: they come back as <see cref="DecodedResults{TResult}.ResultsError"/>, to fail their items.
    /// </summary>
    public DecodedResults<TResult> DecodeResults(ref PayloadReader reader, IWorkSerializer serializer, ResultFlags flags, int start, int count, int sent)
    {
        var ticks = reader.ReadInt64();
        var executed = reader.ReadInt32();

        // Every number here comes from the worker: compared without arithmetic that can overflow.
        if (start < 0 || count < 0 || start > sent || count > sent - start)
        {
            throw new InvalidDataException($"Malformed message: results for positions {start}..{(long)start + count} of a batch of {sent}.");
        }

        if (ticks < 0 || executed < 0 || executed > count)
        {
            throw new InvalidDataException($"Malformed message: a Results frame reports {executed} executed items and {ticks} ticks for {count} positions.");
        }

        var statuses = (flags & ResultFlags.HasStatuses) != 0 ? reader.ReadSpan(count).ToArray() : null;
        Exception?[]? failures = null;
        if (statuses is not null)
        {
            failures = new Exception?[count];
            for (var k = 0; k < count; k++)
            {
                failures[k] = (ItemStatus)statuses[k] switch
                {
                    ItemStatus.Ok or ItemStatus.Canceled or ItemStatus.NotRun => null,
                    ItemStatus.WorkloadThrew => Remote(reader.ReadRequiredString(), reader.ReadString() ?? string.Empty, reader.ReadString()),
                    ItemStatus.ResultNotSerializable or ItemStatus.InputNotDeserializable => new SerializationException(reader.ReadString()),
                    ItemStatus.WorkloadRefused => new InvalidOperationException(reader.ReadString()),
                    var other => throw new InvalidDataException($"Malformed message: item status {(byte)other}."),
                };
            }
        }

        var block = reader.ReadBlock();
        TResult[]? results = null;
        Exception? resultsError = null;
        if (block.Length > 0)
        {
            try
            {
                results = serializer.Deserialize<TResult[]>(block);
                if (results is null || results.Length != count)
                {
                    throw new InvalidDataException($"{results?.Length ?? 0} results for {count} items.");
                }
            }
#pragma warning disable CA1031 // Results the parent cannot read fail their items, not the pool.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                results = null;
                resultsError = ex;
            }
        }

        return new DecodedResults<TResult>(ticks, executed, statuses, failures, results, resultsError);
    }

    private WorkloadException Remote(string type, string message, string? stackTrace) =>
        new(WorkloadException.FormatMessage(WorkloadName, type, message), type, stackTrace);

    private static TInput[] Inputs(WorkBatch<TInput, TResult> batch, Assignment assignment)
    {
        if (assignment.Positions is not { } positions)
        {
            return batch.Inputs;
        }

        var inputs = new TInput[positions.Length];
        for (var i = 0; i < positions.Length; i++)
        {
            inputs[i] = batch.Inputs[positions[i]];
        }

        return inputs;
    }

    /// <summary>Fails the inputs that cannot be serialized, and leaves the others in the assignment. Returns false if none failed.</summary>
    private static bool DropUnserializableInputs(Assignment assignment, FrameBuffer frame, IWorkSerializer serializer, ExecutorTelemetry telemetry)
    {
        var batch = (WorkBatch<TInput, TResult>)assignment.Batch;
        var mark = frame.Position;
        var keep = new List<int>(assignment.Count);
        var dropped = false;
        for (var position = 0; position < assignment.Count; position++)
        {
            var index = assignment.IndexAt(position);
            var input = batch.Inputs[index];
            try
            {
                // As the batch sends it (in an array), so that the probe and the batch are judged alike (e.g. by a depth limit).
                serializer.Serialize(frame, new[] { input });
                keep.Add(index);
            }
#pragma warning disable CA1031
            catch (Exception ex)
#pragma warning restore CA1031
            {
                var type = input?.GetType() ?? typeof(TInput);
                var failure = new SerializationException(
                    $"The input of type {TypeGate.Describe(type)} cannot be serialized for a worker process: {Innermost(ex).Message} " +
                    "Inputs and results must be public records or classes with public properties, tuples, arrays, lists, dictionaries or primitives.", ex);
                batch.TrySetException(index, failure);
                telemetry.ItemFailed(failure);
                dropped = true;
            }

            frame.Position = mark;
        }

        assignment.Positions = keep.Count == batch.Count ? null : [.. keep];
        assignment.Count = keep.Count;
        return dropped;
    }

    private static void FailAll(Assignment assignment, Exception failure, ExecutorTelemetry telemetry)
    {
        for (var position = 0; position < assignment.Count; position++)
        {
            if (assignment.Batch.TrySetException(assignment.IndexAt(position), failure))
            {
                telemetry.ItemFailed(failure);
            }
        }

        assignment.Count = 0;
    }

    private static void PatchLength(FrameBuffer frame, int at) =>
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(frame.Patch(at, 4), frame.Position - at - 4);

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }

        return ex;
    }
}

/// <summary>A decoded Results payload: timing, per-item statuses and failure details (when any item did not succeed), the results or why they could not be read.</summary>
internal readonly record struct DecodedResults<TResult>(long Ticks, int Executed, byte[]? Statuses, Exception?[]? Failures, TResult[]? Results, Exception? ResultsError);
