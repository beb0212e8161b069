using System.Diagnostics;
using Concurrency.Processes.Internal;

namespace Concurrency.Processes.Worker;

/// <summary>Runs batches of one workload type in a worker.</summary>
internal abstract class WorkloadRunner
{
    /// <summary>Builds the serializer's formatters for the workload, input and result types now (MessagePack generates code for them on first use).</summary>
    public abstract void WarmUp(FrameBuffer scratch);

    public abstract void Run(ExecSlot slot, int seq, int typeId, int count, ref PayloadReader reader, CancellationToken token);
}

/// <summary>Runs batches of <typeparamref name="TWorkload"/>: decodes them, runs the items in order, reports outcomes.</summary>
internal sealed class WorkloadRunner<TWorkload, TInput, TResult>(WorkerHost host) : WorkloadRunner
    where TWorkload : IWorkload<TInput, TResult>
{
    public override void WarmUp(FrameBuffer scratch)
    {
        try
        {
            scratch.Reset();
            host.Serializer.Serialize(scratch, default(TWorkload));
            host.Serializer.Serialize(scratch, new TInput[1]);
            host.Serializer.Serialize(scratch, new TResult[1]);
        }
#pragma warning disable CA1031 // Only a warm-up: a type that cannot be serialized fails its items later, with the reason.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    public override void Run(ExecSlot slot, int seq, int typeId, int count, ref PayloadReader reader, CancellationToken token)
    {
        var state = reader.ReadBlock();
        var inputBlock = reader.ReadBlock();
        TWorkload workload;
        TInput[] inputs;
        try
        {
            workload = slot.GetWorkload<TWorkload>(typeId, state, host.Serializer);
            inputs = host.Serializer.Deserialize<TInput[]>(inputBlock) ?? throw new InvalidDataException("The inputs deserialized to null.");
            if (inputs.Length != count)
            {
                throw new InvalidDataException($"The batch announces {count} inputs and holds {inputs.Length}.");
            }
        }
#pragma warning disable CA1031 // A batch the worker cannot decode fails its items, not the worker.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            host.ReportAll(slot, seq, count, ItemStatus.InputNotDeserializable,
                $"Worker {host.WorkerId} could not deserialize a batch of {TypeGate.Describe(typeof(TInput))} for workload {typeof(TWorkload).FullName}: {RemoteFailure.Describe(ex)}");
            return;
        }

        var results = new TResult[count];
        var statuses = slot.Statuses(count);
        var details = slot.Details;
        details.Clear();
        var context = new WorkContext(host.WorkerId, token);
        var progress = host.Progress;
        var slotIndex = slot.Index;
        var flushedUpTo = 0;
        var executed = 0;
        var last = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            if (token.IsCancellationRequested || host.Retiring)
            {
                var status = token.IsCancellationRequested ? ItemStatus.Canceled : ItemStatus.NotRun;
                statuses.AsSpan(i, count - i).Fill((byte)status);
                break;
            }

            progress.Begin(slotIndex, seq, i);
            try
            {
                results[i] = workload.Execute(inputs[i], context);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                statuses[i] = (byte)ItemStatus.Canceled;
            }
#pragma warning disable CA1031 // Whatever the workload throws fails its own item.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                statuses[i] = (byte)ItemStatus.WorkloadThrew;
                details.Add(new ItemDetail(i, ex.GetType().FullName ?? ex.GetType().Name, ex.Message, ex.StackTrace));
            }

            progress.End(slotIndex, seq, i);
            executed++;
            host.ItemDone();
            if (i + 1 < count)
            {
                // The item's outcome leaves the worker before the next item starts: if that one kills the worker, what
                // ran before it is delivered, neither lost nor run again.
                var now = Stopwatch.GetTimestamp();
                Flush(slot, seq, results, statuses, flushedUpTo, i + 1, finished: false, now - last, executed);
                flushedUpTo = i + 1;
                executed = 0;
                last = now;
            }
        }

        Flush(slot, seq, results, statuses, flushedUpTo, count, finished: true, Stopwatch.GetTimestamp() - last, executed);
    }

    private void Flush(ExecSlot slot, int seq, TResult[] results, byte[] statuses, int start, int end, bool finished, long ticks, int executed)
    {
        var details = slot.Details;
        var count = end - start;
        var scratch = slot.Scratch;
        scratch.Reset();
        if (statuses.AsSpan(start, count).IndexOf((byte)ItemStatus.Ok) >= 0)
        {
            SerializeResults(slot, results, statuses, start, end);
        }

        var hasStatuses = statuses.AsSpan(start, count).IndexOfAnyExcept((byte)ItemStatus.Ok) >= 0;
        var flags = (finished ? ResultFlags.Finished : 0) | (hasStatuses ? ResultFlags.HasStatuses : 0) | (host.Retiring ? ResultFlags.Retiring : 0);
        var frame = slot.BeginResults(seq, start, count, flags, ticks, executed);
        if (hasStatuses)
        {
            frame.WriteBytes(statuses.AsSpan(start, count));
            details.Sort(static (a, b) => a.Position.CompareTo(b.Position));
            foreach (var detail in details)
            {
                if (detail.Position < start || detail.Position >= end)
                {
                    continue;
                }

                switch ((ItemStatus)statuses[detail.Position])
                {
                    case ItemStatus.WorkloadThrew:
                        frame.WriteString(detail.ExceptionType);
                        frame.WriteString(detail.Message);
                        frame.WriteString(detail.StackTrace);
                        break;
                    case ItemStatus.ResultNotSerializable:
                        frame.WriteString(detail.Message);
                        break;
                }
            }
        }

        frame.WriteInt32(scratch.Position);
        frame.WriteBytes(scratch.WrittenSpan);
        frame.EndFrame();
        host.Send(frame.WrittenSpan);
    }

    /// <summary>Serializes results[start..end) into the slot's scratch buffer; a result that cannot be serialized fails its own item only.</summary>
    private void SerializeResults(ExecSlot slot, TResult[] results, byte[] statuses, int start, int end)
    {
        var scratch = slot.Scratch;
        var serializer = host.Serializer;
        try
        {
            serializer.Serialize(scratch, Segment(results, start, end));
            return;
        }
#pragma warning disable CA1031 // Find the results that cannot be serialized and fail only those.
        catch (Exception)
#pragma warning restore CA1031
        {
            scratch.Reset();
        }

        for (var i = start; i < end; i++)
        {
            if (statuses[i] != (byte)ItemStatus.Ok)
            {
                continue;
            }

            try
            {
                serializer.Serialize(scratch, results[i..(i + 1)]);
            }
#pragma warning disable CA1031
            catch (Exception ex)
#pragma warning restore CA1031
            {
                statuses[i] = (byte)ItemStatus.ResultNotSerializable;
                var type = results[i]?.GetType() ?? typeof(TResult);
                slot.Details.Add(new ItemDetail(i, null, $"The result of type {TypeGate.Describe(type)} cannot be serialized: {RemoteFailure.Describe(ex)}", null));
                results[i] = default!;
            }

            scratch.Reset();
        }

        serializer.Serialize(scratch, Segment(results, start, end));
    }

    private static TResult[] Segment(TResult[] results, int start, int end) =>
        start == 0 && end == results.Length ? results : results[start..end];
}
