using Concurrency.Internal;
using Concurrency.Processes.Internal;

namespace Concurrency.Processes;

/// <summary>Dispatch: from a batch to a worker slot, and from a finished batch to the next one.</summary>
public sealed partial class ProcessPoolExecutor
{
    /// <inheritdoc/>
    ValueTask IBatchDispatcher.DispatchAsync(WorkBatch batch, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_shutdown.IsStarted, this);
        var queued = new QueuedBatch(batch, BatchCodec.For(batch));
        Assignment? assignment = null;
        Exception? fault = null;
        int spawn;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_stopping, this);
            _started = true;
            if (!_codecs.Contains(queued.Codec))
            {
                // Workers that start from now on load this type before their first batch.
                _codecs.Add(queued.Codec);
            }

            spawn = ReserveSpawnsLocked();
            if (_idle.Count > 0 && _queue.Count == 0 && _retry.Count == 0)
            {
                assignment = AssignLocked(PopIdleLocked(), queued);
            }
            else if (NoWorkerCanComeLocked())
            {
                fault = _startFault;
            }
            else if (_queueSpace.Wait(0, CancellationToken.None))
            {
                queued.HoldsSpace = true;
                _queue.Enqueue(queued);
                _telemetry.Queued(batch.Count);
                queued = null;
            }
        }

        SpawnWorkers(spawn);
        if (assignment is not null)
        {
            Send(assignment);
            return default;
        }

        if (fault is not null)
        {
            batch.FailUnsettled(() => fault);
            return default;
        }

        return queued is null ? default : DispatchSlowAsync(queued, cancellationToken);
    }

    private async ValueTask DispatchSlowAsync(QueuedBatch queued, CancellationToken cancellationToken)
    {
        // Disposal wakes the submitters waiting for room by cancelling _stop (never by releasing the semaphore, whose
        // count may already be at its maximum: QueueCapacity can be int.MaxValue).
        using (var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token))
        {
            try
            {
                await _queueSpace.WaitAsync(wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new ObjectDisposedException(GetType().FullName);
            }
        }

        Assignment? assignment = null;
        lock (_lock)
        {
            if (_stopping)
            {
                _queueSpace.Release();
                throw new ObjectDisposedException(GetType().FullName);
            }

            if (_idle.Count > 0 && _queue.Count == 0 && _retry.Count == 0)
            {
                _queueSpace.Release();
                assignment = AssignLocked(PopIdleLocked(), queued);
            }
            else
            {
                queued.HoldsSpace = true;
                _queue.Enqueue(queued);
                _telemetry.Queued(queued.Batch.Count);
            }
        }

        if (assignment is not null)
        {
            Send(assignment);
        }
    }

    private Assignment AssignLocked(WorkerSlot slot, QueuedBatch queued)
    {
        var worker = slot.Worker;
        var assignment = new Assignment(queued, worker, slot.Index, worker.NextSeq++, _time);
        slot.Current = assignment;
        _busy++;
        return assignment;
    }

    private WorkerSlot PopIdleLocked()
    {
        var slot = _idle[^1];
        _idle.RemoveAt(_idle.Count - 1);
        return slot;
    }

    private bool TryDequeueLocked(out QueuedBatch queued)
    {
        while (_retry.TryDequeue(out queued!) || _queue.TryDequeue(out queued!))
        {
            if (queued.HoldsSpace)
            {
                queued.HoldsSpace = false;
                _queueSpace.Release();
                _telemetry.Dequeued(queued.Batch.Count);
            }

            if (!queued.Batch.IsCompleted)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Claims the batch's items and sends them; called without the pool lock, on whichever thread assigned it.</summary>
    private void Send(Assignment assignment)
    {
        var claimed = BatchCodec.Claim(assignment);
        bool orphaned;
        lock (_lock)
        {
            orphaned = assignment.Orphaned;
            assignment.Claimed = !orphaned;
        }

        if (orphaned)
        {
            // The worker died between the assignment and the claim: its reader left these items to us.
            for (var position = 0; position < assignment.Count; position++)
            {
                assignment.Batch.TryUnclaim(assignment.IndexAt(position));
            }

            Requeue(assignment.Source);
            return;
        }

        if (claimed == 0)
        {
            FinishAssignment(assignment);
            return;
        }

        var token = assignment.Batch.CancellationToken;
        if (token.CanBeCanceled)
        {
            assignment.Registration = token.UnsafeRegister(Assignment.OnCanceled, assignment);
        }

        if (assignment.Worker.SendBatch(assignment, _serializer, _telemetry) == 0)
        {
            FinishAssignment(assignment);
            return;
        }

        assignment.MarkSent();
    }

    /// <summary>The slot is done with <paramref name="assignment"/>: it takes the next batch, or goes idle.</summary>
    private void FinishAssignment(Assignment assignment)
    {
        assignment.Registration.Dispose();
        var batch = assignment.Batch;
        var requeue = false;
        if (assignment.HasNotRun)
        {
            if (batch.CancellationToken.IsCancellationRequested)
            {
                batch.CancelPending();
            }

            requeue = HasPending(batch);
        }

        Assignment? next = null;
        var shutdown = false;
        var cancel = false;
        var worker = assignment.Worker;
        lock (_lock)
        {
            var slot = worker.Slots[assignment.Slot];
            if (slot.Current == assignment)
            {
                slot.Current = null;
                _busy--;
            }

            if (requeue)
            {
                if (_stopping)
                {
                    cancel = true;
                }
                else
                {
                    _retry.Enqueue(assignment.Source);
                }
            }

            if (worker.State == WorkerState.Ready && slot.Current is null)
            {
                if (TryDequeueLocked(out var queued))
                {
                    next = AssignLocked(slot, queued);
                }
                else
                {
                    _idle.Add(slot);
                }
            }
            else if (worker.State == WorkerState.Retiring && worker.Slots.All(s => s.Current is null))
            {
                shutdown = true;
            }

            if (_busy == 0)
            {
                _idleWaiter?.TrySetResult();
            }
        }

        if (cancel)
        {
            batch.CancelPending();
        }

        if (shutdown)
        {
            worker.SendShutdown();
        }

        if (next is not null)
        {
            Send(next);
        }

        if (requeue)
        {
            Pump();
        }
    }

    /// <summary>Puts a batch whose items were given back at the front of the queue (or cancels it when shutting down).</summary>
    private void Requeue(QueuedBatch queued)
    {
        var batch = queued.Batch;
        if (batch.CancellationToken.IsCancellationRequested)
        {
            batch.CancelPending();
        }

        if (!HasPending(batch))
        {
            return;
        }

        bool stopping;
        lock (_lock)
        {
            stopping = _stopping;
            if (!stopping)
            {
                _retry.Enqueue(queued);
            }
        }

        if (stopping)
        {
            batch.CancelPending();
            return;
        }

        Pump();
    }

    /// <summary>Gives queued batches to idle slots.</summary>
    private void Pump()
    {
        List<Assignment>? toSend = null;
        lock (_lock)
        {
            while (_idle.Count > 0 && TryDequeueLocked(out var queued))
            {
                (toSend ??= []).Add(AssignLocked(PopIdleLocked(), queued));
            }
        }

        if (toSend is not null)
        {
            foreach (var assignment in toSend)
            {
                Send(assignment);
            }
        }
    }

    private static bool HasPending(WorkBatch batch)
    {
        if (batch.IsCompleted)
        {
            return false;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            if (!batch.IsSettled(i) && !batch.IsClaimed(i))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The worker's reader thread: a frame arrived.</summary>
    private void OnFrame(WorkerProcess worker, FrameType type, ReadOnlyMemory<byte> payload)
    {
        var reader = new PayloadReader(payload, type);
        switch (type)
        {
            case FrameType.Results:
                // Batches that allow synchronous continuations complete when the scope ends: after the slot has
                // taken its next batch or gone idle, with no lock held.
                using (WorkBatch.DeferCompletions())
                {
                    OnResults(worker, ref reader);
                }

                break;
            case FrameType.Ready:
                _ = reader.ReadInt32();
                OnWorkerReady(worker);
                break;
            case FrameType.StartFailed:
                worker.StartFailure = StartFailure(worker, reader.ReadRequiredString(), reader.ReadRequiredString(), reader.ReadString() ?? string.Empty, reader.ReadString());
                break;
            default:
                throw new InvalidDataException($"Malformed message: worker {worker.Id} sent a {type} frame, which only the pool sends.");
        }
    }

    private void OnResults(WorkerProcess worker, ref PayloadReader reader)
    {
        var slotIndex = reader.ReadInt32();
        var seq = reader.ReadInt32();
        var start = reader.ReadInt32();
        var count = reader.ReadInt32();
        var flags = (ResultFlags)reader.ReadByte();
        if ((uint)slotIndex >= (uint)worker.Slots.Length)
        {
            throw new InvalidDataException($"Malformed message: results for slot {slotIndex} of a worker with {worker.Slots.Length}.");
        }

        Assignment? assignment;
        lock (_lock)
        {
            assignment = worker.Slots[slotIndex].Current;
        }

        if (assignment is null || assignment.Seq != seq)
        {
            throw new InvalidDataException($"Malformed message: results for batch {seq} on slot {slotIndex}, which runs {assignment?.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "nothing"}.");
        }

        assignment.Codec.ApplyResults(assignment, ref reader, _serializer, _telemetry, flags, start, count);
        assignment.RecordDelivery(start + count);
        if ((flags & ResultFlags.Retiring) != 0)
        {
            MarkRetiring(worker);
        }

        if ((flags & ResultFlags.Finished) != 0)
        {
            ThrowIfUnsettled(assignment);
            FinishAssignment(assignment);
        }
    }

    /// <summary>
    /// A Finished frame must account for every item it was sent (a result, a failure, or given back unstarted). One that
    /// omits items is a protocol error: the worker is killed and the omitted items are settled as its death decides,
    /// instead of waiting for ever for a result that will not come.
    /// </summary>
    private static void ThrowIfUnsettled(Assignment assignment)
    {
        var batch = assignment.Batch;
        var missing = 0;
        var first = -1;
        for (var p = 0; p < assignment.Count; p++)
        {
            if (batch.IsClaimed(assignment.IndexAt(p)))
            {
                missing++;
                first = first < 0 ? p : first;
            }
        }

        if (missing > 0)
        {
            throw new InvalidDataException(
                $"Malformed message: worker {assignment.Worker.Id} finished batch {assignment.Seq} of slot {assignment.Slot} without an outcome for {missing} of its {assignment.Count} items (the first at position {first}).");
        }
    }

    private void MarkRetiring(WorkerProcess worker)
    {
        bool shutdown;
        lock (_lock)
        {
            if (worker.State != WorkerState.Ready)
            {
                return;
            }

            worker.State = WorkerState.Retiring;
            _idle.RemoveAll(s => s.Worker == worker);
            shutdown = worker.Slots.All(s => s.Current is null);
        }

        if (shutdown)
        {
            worker.SendShutdown();
        }

        LogRetiring(_logger, Name, worker.Id);
    }

}
