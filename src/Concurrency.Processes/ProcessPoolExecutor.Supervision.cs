using System.Diagnostics;
using Concurrency.Internal;
using Concurrency.Processes.Internal;
using Microsoft.Extensions.Logging;

namespace Concurrency.Processes;

/// <summary>Supervision: starting workers, noticing their end, settling what they held, replacing them, and shutting down.</summary>
public sealed partial class ProcessPoolExecutor
{
    /// <summary>Reserves the worker starts needed to reach the worker count (pool lock); returns how many to spawn.</summary>
    private int ReserveSpawnsLocked()
    {
        if (_stopping || !_started)
        {
            return 0;
        }

        var missing = _workerCount - _workers.Count - _starting;
        if (missing <= 0 || (_startFault is not null && Stopwatch.GetTimestamp() < _retryAt))
        {
            return 0;
        }

        _starting += missing;
        return missing;
    }

    /// <summary>Whether a batch can only fail now: the last start failed, and no worker is running or starting (pool lock).</summary>
    private bool NoWorkerCanComeLocked() => _startFault is not null && _workers.Count == 0 && _starting == 0;

    private void SpawnWorkers(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var start = Task.Run(StartWorkerAsync);
            lock (_lock)
            {
                _starts.RemoveAll(t => t.IsCompleted);
                _starts.Add(start);
            }
        }
    }

    private async Task StartWorkerAsync()
    {
        WorkerProcess? worker = null;
        int id;
        lock (_lock)
        {
            id = _nextWorkerId++;
        }

        try
        {
            var launch = WorkerLaunch.ForThisApp;
            try
            {
                worker = WorkerProcess.Start(id, launch, _threads, _serializerName, _initializerName, _maxItems, _maxMemory, _transport, OnWorkerOutput);
            }
            catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or IOException or UnauthorizedAccessException)
            {
                throw new InvalidOperationException($"Worker {id} could not be started with '{launch.Host} {string.Join(' ', launch.Arguments())}': {ex.Message}", ex);
            }

            bool stopping;
            lock (_lock)
            {
                _starting--;
                _live++;
                _workers.Add(worker);
                stopping = _stopping;
            }

            worker.StartReader(OnFrame, OnWorkerEnded);
            if (stopping)
            {
                // Disposal began while this worker was being spawned: it must not outlive the pool.
                worker.Kill(KillReason.Shutdown);
            }

            LogWorkerStarting(_logger, Name, id, worker.Pid);
            try
            {
                await worker.Ready.Task.WaitAsync(_startTimeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                worker.Kill(KillReason.StartTimeout);
                await worker.Ready.Task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                throw new InvalidOperationException(
                    $"Worker {id} did not become ready within {_startTimeout} (ProcessPoolExecutorOptions.WorkerStartTimeout) and was killed. " +
                    $"A slow worker initializer or an overloaded machine can cause this; raise the timeout if starting takes longer.{TailOf(worker)}");
            }
        }
#pragma warning disable CA1031 // A failed start is recorded and reported to the items, never thrown into the thread pool.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            if (worker is null)
            {
                lock (_lock)
                {
                    _starting--;
                    SignalIfNoneLiveLocked();
                }
            }

            OnStartFailed(ex);
        }
    }

    private void OnWorkerReady(WorkerProcess worker)
    {
        bool stopping;
        BatchCodec[] known;
        lock (_lock)
        {
            known = [.. _codecs];
        }

        // Before the worker takes a batch: the workload types in use, so that it loads them and warms their
        // serializers now (a replacement worker then serves its first batch without that delay).
        worker.Predefine(known);
        lock (_lock)
        {
            stopping = _stopping;
            if (!stopping && worker.State == WorkerState.Starting)
            {
                worker.State = WorkerState.Ready;
                _startFault = null;
                _backoff = ProcessPoolDefaults.FirstStartBackoff;
                _idle.AddRange(worker.Slots);
            }
        }

        LogWorkerReady(_logger, Name, worker.Id, Stopwatch.GetElapsedTime(worker.StartedAt).TotalMilliseconds);
        worker.Ready.TrySetResult();
        if (stopping)
        {
            worker.SendShutdown();
            return;
        }

        Pump();
    }

    private void OnStartFailed(Exception ex)
    {
        List<QueuedBatch>? failed = null;
        bool stopping;
        lock (_lock)
        {
            stopping = _stopping;
            _startFault = ex;
            _retryAt = Stopwatch.GetTimestamp() + (long)(_backoff.TotalSeconds * Stopwatch.Frequency);
            _backoff = TimeSpan.FromTicks(Math.Min(_backoff.Ticks * 2, ProcessPoolDefaults.MaxStartBackoff.Ticks));
            if (NoWorkerCanComeLocked())
            {
                while (TryDequeueLocked(out var queued))
                {
                    (failed ??= []).Add(queued);
                }
            }
        }

        if (!stopping)
        {
            LogStartFailed(_logger, ex, Name, ex.Message);
        }

        if (failed is not null)
        {
            foreach (var queued in failed)
            {
                queued.Batch.FailUnsettled(() => ex);
            }
        }
    }

    /// <summary>The worker's reader thread: the worker's output ended. Settles what it held and replaces it.</summary>
    private void OnWorkerEnded(WorkerProcess worker, Exception? error)
    {
        var exitCode = worker.WaitForExitCode(TimeSpan.FromSeconds(5));
        var held = new List<Assignment>();
        bool wasStarting;
        bool stopping;
        lock (_lock)
        {
            stopping = _stopping;
            wasStarting = worker.State == WorkerState.Starting;
            var wasRetiring = worker.State == WorkerState.Retiring;
            worker.State = WorkerState.Dead;
            _workers.Remove(worker);
            _idle.RemoveAll(s => s.Worker == worker);
            foreach (var slot in worker.Slots)
            {
                if (slot.Current is { } assignment)
                {
                    assignment.Orphaned = true;
                    if (assignment.Claimed)
                    {
                        held.Add(assignment);
                    }

                    slot.Current = null;
                    _busy--;
                }
            }

            if (_busy == 0)
            {
                _idleWaiter?.TrySetResult();
            }

            if (!stopping && !wasStarting && !(wasRetiring && exitCode == 0 && held.Count == 0) && worker.KillReason == KillReason.None)
            {
                LogWorkerDied(_logger, Name, worker.Id, exitCode, DescribeExit(exitCode));
            }
        }

        try
        {
            if (wasStarting)
            {
                worker.Ready.TrySetException(worker.StartFailure ?? EarlyExit(worker, exitCode, error));
                return;
            }

            // As for a Results frame: batches that allow synchronous continuations complete here, on this thread, when
            // the scope ends with no lock held, and so without waiting for a free thread-pool thread.
            using (WorkBatch.DeferCompletions())
            {
                foreach (var assignment in held)
                {
                    SettleAfterDeath(assignment, worker, exitCode);
                }
            }
        }
        finally
        {
            lock (_lock)
            {
                _live--;
                SignalIfNoneLiveLocked();
            }

            worker.Progress.Dispose();
            worker.Connection?.Dispose();
            worker.Process.Dispose();
        }

        if (!stopping)
        {
            int spawn;
            lock (_lock)
            {
                spawn = ReserveSpawnsLocked();
            }

            SpawnWorkers(spawn);
            Pump();
        }
    }

    /// <summary>
    /// Settles a batch whose worker died. A slot runs its items in order and publishes each start and end in the
    /// progress map, so every position is in one of three states: it ran to the end of Execute (before the one the map
    /// shows, or that one when marked done), it was running (the one the map shows, not done), or it never started.
    /// An item that ran to the end is never run again: its result was lost with the worker, and it fails with the
    /// cause. The running item fails — crash, timeout or cancellation, per the kill it was named by. The items that
    /// never started go back to the queue.
    /// </summary>
    private void SettleAfterDeath(Assignment assignment, WorkerProcess worker, int? exitCode)
    {
        assignment.Registration.Dispose();
        var batch = assignment.Batch;
        var (seq, position, done) = worker.Progress.Read(assignment.Slot);
        var ranUpTo = 0;
        var running = -1;
        if (seq == assignment.Seq)
        {
            // A position past the batch (a worker that wrote nonsense) counts as all of it having run: never re-run.
            ranUpTo = (uint)position < (uint)assignment.Count ? position + (done ? 1 : 0) : assignment.Count;
            running = !done && (uint)position < (uint)assignment.Count ? position : -1;
        }

        var kill = worker.KillReason;
        var target = worker.KillTarget;
        var released = false;
        for (var p = 0; p < assignment.Count; p++)
        {
            var index = assignment.IndexAt(p);
            if (batch.IsSettled(index))
            {
                continue;
            }

            if (p > running && p >= ranUpTo)
            {
                released |= batch.TryUnclaim(index);
                continue;
            }

            var named = target.Names(assignment.Slot, assignment.Seq, p);
            Exception? failure = (kill, p == running) switch
            {
                (KillReason.ItemTimeout, _) when named => new WorkTimeoutException(
                    $"An item of {assignment.Codec.WorkloadName} ran longer than the item timeout of {_itemTimeout} on worker {worker.Id}; the worker was killed and replaced."),
                (KillReason.CancellationIgnored or KillReason.Shutdown, true) when named || kill == KillReason.Shutdown =>
                    new OperationCanceledException(batch.CancellationToken.IsCancellationRequested ? batch.CancellationToken : new CancellationToken(true)),

                // Killed for another item (of this slot or another): this one did nothing wrong; run it again elsewhere.
                (KillReason.ItemTimeout or KillReason.CancellationIgnored, true) => null,
                (_, true) => new WorkerCrashedException(CrashMessage(worker, exitCode, assignment.Codec.WorkloadName), worker.Id, exitCode),
                _ => new WorkerCrashedException(LostResultMessage(worker, exitCode, assignment.Codec), worker.Id, exitCode),
            };

            if (failure is null)
            {
                released |= batch.TryUnclaim(index);
            }
            else if (batch.TrySetException(index, failure))
            {
                _telemetry.ItemFailed(failure);
            }
        }

        if (!released)
        {
            return;
        }

        if (batch.CancellationToken.IsCancellationRequested)
        {
            batch.CancelPending();
        }

        // A death with no item started made no progress: bound how often that can repeat for one batch.
        if (running < 0 && ranUpTo == 0 && ++assignment.Source.Attempts > ProcessPoolDefaults.MaxBatchAttempts)
        {
            var message = $"Worker {worker.Id} exited with code {Code(exitCode)} ({DescribeExit(exitCode)}) before an item of {assignment.Codec.WorkloadName} started, " +
                          $"for the {assignment.Source.Attempts}th time for this batch; its items fail instead of being sent again. The worker was replaced.";
            batch.FailUnsettled(() => new WorkerCrashedException(message, worker.Id, exitCode));
            return;
        }

        Requeue(assignment.Source);
    }

    /// <summary>Gets or sets how long a frame may stop arriving half-way before its worker is killed (a setting for tests).</summary>
    internal TimeSpan FrameStallTimeout { get; set; } = ProcessPoolDefaults.FrameStallTimeout;

    /// <summary>Gets or sets what runs on the supervisor thread just before it kills a worker for an item (a hook for tests of the race with the item's end).</summary>
    internal Action<WorkerProcess, KillTarget>? BeforeKill { get; set; }

    /// <summary>Completes after the next supervision pass that starts after this call, for tests that drive the clock.</summary>
    internal Task NextSupervisionAsync()
    {
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var current = Interlocked.CompareExchange(ref _passWaiter, waiter, null) ?? waiter;
        _superviseSignal.Set();
        return current.Task;
    }

    /// <summary>
    /// The supervisor's own thread: it does not depend on a free thread-pool thread, so a starved pool cannot delay a
    /// timeout. It wakes every period of real time, and on every tick of a <see cref="TimeProvider"/> timer when the
    /// pool runs on another clock (a test's fake clock drives it deterministically); deadlines are computed from the
    /// provider's timestamps.
    /// </summary>
    private void SuperviseLoop()
    {
        while (!_supervisorStopped)
        {
            _superviseSignal.Wait(_supervisionPeriod);
            _superviseSignal.Reset();
            var waiter = Interlocked.Exchange(ref _passWaiter, null);
            try
            {
                Supervise();
            }
#pragma warning disable CA1031 // The supervisor must outlive anything a pass meets; the next pass tries again.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogSupervisionFailed(_logger, ex, Name);
            }

            waiter?.TrySetResult();
        }

        Interlocked.Exchange(ref _passWaiter, null)?.TrySetResult();
    }

    /// <summary>One pass: kills workers whose item passed its timeout, ignored cancellation past the grace period, or whose message stalled half-way.</summary>
    private void Supervise()
    {
        var now = _time.GetTimestamp();
        var stallTicks = (long)(FrameStallTimeout.TotalSeconds * Stopwatch.Frequency);
        var realNow = Stopwatch.GetTimestamp();
        List<WorkerProcess>? stalled = null;
        List<(WorkerProcess Worker, KillTarget Target, long Token, KillReason Reason)>? kills = null;
        lock (_lock)
        {
            foreach (var worker in _workers)
            {
                if (worker.State is not (WorkerState.Ready or WorkerState.Retiring))
                {
                    continue;
                }

                var inside = worker.InsideFrameSince;
                if (inside != 0 && realNow - inside > stallTicks)
                {
                    (stalled ??= []).Add(worker);
                    continue;
                }

                foreach (var slot in worker.Slots)
                {
                    if (slot.Current is not { Claimed: true } assignment)
                    {
                        continue;
                    }

                    // The item's clock runs from what the pool itself sees: it starts when the supervisor first sees the
                    // batch (at most one period late) and restarts whenever results arrive, the worker sending each
                    // item's outcome before it starts the next. What the worker writes in its progress slot cannot stop it.
                    var token = assignment.DeliveryToken;
                    if (token != slot.SeenToken)
                    {
                        slot.SeenToken = token;
                        slot.SeenAt = now;
                    }

                    if (_itemTimeout is { } timeout && _time.GetElapsedTime(slot.SeenAt, now) >= timeout)
                    {
                        (kills ??= []).Add((worker, new KillTarget(slot.Index, assignment.Seq, assignment.DeliveredUpTo), token, KillReason.ItemTimeout));
                        continue;
                    }

                    var cancelledAt = assignment.CancelRequestedAt;
                    if (cancelledAt != 0 && _time.GetElapsedTime(cancelledAt, now) >= _grace)
                    {
                        (kills ??= []).Add((worker, new KillTarget(slot.Index, assignment.Seq, -1), token, KillReason.CancellationIgnored));
                    }
                }
            }
        }

        foreach (var worker in stalled ?? [])
        {
            LogKilling(_logger, Name, worker.Id, "a message from it stopped arriving half-way");
            worker.KillStalled(FrameStallTimeout);
        }

        foreach (var (worker, target, token, reason) in kills ?? [])
        {
            // The item may have ended since the decision: then this kill is not for anything that runs now. (It can
            // still end between this check and the kill; settling checks the kill's target against what ran.)
            if (CurrentDeliveryToken(worker, target.Slot) != token)
            {
                continue;
            }

            LogKilling(_logger, Name, worker.Id, reason == KillReason.ItemTimeout ? "an item ran past ItemTimeout" : "a cancelled item ignored its token past CancellationGracePeriod");
            BeforeKill?.Invoke(worker, target);
            worker.Kill(reason, target);
        }
    }

    /// <summary>The delivery token of what slot <paramref name="slot"/> of <paramref name="worker"/> runs now, or -1.</summary>
    private long CurrentDeliveryToken(WorkerProcess worker, int slot)
    {
        lock (_lock)
        {
            return worker.Slots[slot].Current is { } assignment ? assignment.DeliveryToken : -1;
        }
    }

    /// <summary>Completes <see cref="_noneLive"/> once the pool is stopping and no worker process is alive or starting (pool lock).</summary>
    private void SignalIfNoneLiveLocked()
    {
        if (_stopping && _live == 0 && _starting == 0)
        {
            _noneLive.TrySetResult();
        }
    }

    private async Task ShutdownAsync()
    {
        LogStopping(_logger, Name);
        List<QueuedBatch> queued = [];
        Task[] starts;
        TaskCompletionSource? idle = null;
        lock (_lock)
        {
            _stopping = true;
            while (TryDequeueLocked(out var q))
            {
                queued.Add(q);
            }

            starts = [.. _starts];
            if (_busy > 0)
            {
                idle = _idleWaiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            foreach (var worker in _workers)
            {
                if (worker.State == WorkerState.Starting)
                {
                    worker.Kill(KillReason.Shutdown);
                }
            }
        }

        // Wake submitters waiting for queue space: they see the pool stopping.
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var q in queued)
        {
            q.Batch.CancelPending();
        }

        await Task.WhenAll(starts).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (idle is not null && !await WaitAsync(idle.Task, _shutdownTimeout).ConfigureAwait(false))
        {
            // Running items outlived the timeout: cancel them, give them the grace period, then kill.
            List<Assignment> running = [];
            lock (_lock)
            {
                running.AddRange(_workers.SelectMany(w => w.Slots).Select(s => s.Current).OfType<Assignment>());
            }

            foreach (var assignment in running)
            {
                Assignment.OnCanceled(assignment);
            }

            if (!await WaitAsync(idle.Task, _grace).ConfigureAwait(false))
            {
                lock (_lock)
                {
                    foreach (var worker in _workers)
                    {
                        worker.Kill(KillReason.Shutdown);
                    }
                }
            }
        }

        WorkerProcess[] workers;
        lock (_lock)
        {
            workers = [.. _workers];
        }

        foreach (var worker in workers)
        {
            worker.SendShutdown();
        }

        // Every process the pool started, including one whose start raced with the beginning of shutdown: the pool is
        // disposed when each has ended, not when the ones it knew of at some moment have.
        lock (_lock)
        {
            SignalIfNoneLiveLocked();
        }

        if (!await WaitAsync(_noneLive.Task, TimeSpan.FromSeconds(10)).ConfigureAwait(false))
        {
            lock (_lock)
            {
                workers = [.. _workers];
            }

            foreach (var worker in workers)
            {
                worker.Kill(KillReason.Shutdown);
            }

            await WaitAsync(_noneLive.Task, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }

        // No item outlives the pool unsettled: what a worker that could not be reaped still held is cancelled.
        List<Assignment> held;
        lock (_lock)
        {
            held = [.. _workers.SelectMany(w => w.Slots).Select(s => s.Current).OfType<Assignment>()];
        }

        foreach (var assignment in held)
        {
            assignment.Batch.FailUnsettled(() => new OperationCanceledException(
                $"The pool was disposed and worker {assignment.Worker.Id}, which held this item, could not be reaped within 20 seconds of being killed."));
        }

        _supervisorStopped = true;
        _superviseSignal.Set();
        _supervisionTicks?.Dispose();
        LogStopped(_logger, Name);
    }

    private static Task<bool> WaitAsync(Task task, TimeSpan timeout) => TaskWaits.WaitAsync(task, timeout);

    private void OnWorkerOutput(WorkerProcess worker, string line) => LogWorkerOutput(_workerLogger, worker.Id, line);

    private InvalidOperationException StartFailure(WorkerProcess worker, string stage, string type, string message, string? stackTrace)
    {
        var what = stage == "initializer" ? $"its initializer {_initializerName?.Split(',')[0]}" : $"its {stage} {_serializerName.Split(',')[0]}";
        return new InvalidOperationException(
            $"Worker {worker.Id} could not start: {what} threw {type}: {message} No item can run until a worker starts; the pool tries again for later items, " +
            "waiting longer after each failure (up to 30 seconds).",
            new WorkloadException(WorkloadException.FormatMessage(what, type, message), type, stackTrace));
    }

    private static InvalidOperationException EarlyExit(WorkerProcess worker, int? exitCode, Exception? error)
    {
        var why = worker.KillReason == KillReason.Shutdown ? "the pool was disposed while it started" : DescribeExit(exitCode);
        return new InvalidOperationException(
            $"Worker {worker.Id} exited with code {Code(exitCode)} ({why}) before it was ready.{(error is InvalidDataException ? " " + error.Message : string.Empty)}{TailOf(worker)}");
    }

    private static string TailOf(WorkerProcess worker) => worker.Tail() is { Length: > 0 } tail ? $" Its last output:{Environment.NewLine}{tail}" : string.Empty;

    private static string LostResultMessage(WorkerProcess worker, int? exitCode, BatchCodec codec)
    {
        var how = worker.KillReason switch
        {
            KillReason.ProtocolError => $"sent a malformed message and was killed ({worker.ProtocolErrorMessage})",
            KillReason.Shutdown => "was killed when the pool shut down",
            KillReason.ItemTimeout or KillReason.CancellationIgnored => "was killed for another item",
            _ => worker.DiedMidMessage is { } truncated
                ? $"exited with code {Code(exitCode)} ({DescribeExit(exitCode)}) in the middle of a message ({truncated})"
                : $"exited with code {Code(exitCode)} ({DescribeExit(exitCode)})",
        };
        return $"An item of {codec.WorkloadName} ran to completion on worker {worker.Id}, but the worker {how} before the item's result " +
               $"({TypeGate.Describe(codec.ResultType)}) reached the pool; the item is not run again. A result the worker cannot serialize — " +
               "e.g. one whose serialization overflows the stack — ends a worker this way. The worker was replaced.";
    }

    private static string CrashMessage(WorkerProcess worker, int? exitCode, string workload) =>
        worker.KillReason == KillReason.ProtocolError
            ? $"Worker {worker.Id} sent a malformed message while running an item of {workload} and was killed: {worker.ProtocolErrorMessage} The worker was replaced."
            : worker.DiedMidMessage is { } truncated
                ? $"Worker {worker.Id} exited with code {Code(exitCode)} ({DescribeExit(exitCode)}) while running an item of {workload}, in the middle of a message ({truncated}); the worker was replaced."
                : $"Worker {worker.Id} exited with code {Code(exitCode)} ({DescribeExit(exitCode)}) while running an item of {workload}; the worker was replaced.";

    private static string Code(int? exitCode) => exitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown";

    /// <summary>Names the likely cause of an exit code as <see cref="Process.ExitCode"/> reports it (128 + signal on Unix).</summary>
    internal static string DescribeExit(int? exitCode) => exitCode switch
    {
        null => "the exit code could not be read",
        0 => "the workload or a library it calls ended the process, e.g. with Environment.Exit(0)",
        134 => "SIGABRT: Environment.FailFast, an unhandled exception or a stack overflow",
        137 => "SIGKILL: killed from outside, e.g. by kill -9 or by the out-of-memory killer",
        139 => "SIGSEGV: a native crash",
        135 => "SIGBUS: a native crash",
        136 => "SIGFPE: a native arithmetic fault",
        132 => "SIGILL: a native crash",
        143 => "SIGTERM: terminated from outside",
        > 128 and < 160 => $"killed by signal {exitCode - 128}",
        WorkerProgramExitCodes.ProtocolError => "the worker received a malformed message",
        _ => "the workload or a library it calls ended the process, e.g. with Environment.Exit",
    };

    [LoggerMessage(1, LogLevel.Debug, "Executor {Name}: starting worker {WorkerId} (pid {Pid}).")]
    private static partial void LogWorkerStarting(ILogger logger, string name, int workerId, int pid);

    [LoggerMessage(2, LogLevel.Debug, "Executor {Name}: worker {WorkerId} is ready after {Milliseconds:F0} ms.")]
    private static partial void LogWorkerReady(ILogger logger, string name, int workerId, double milliseconds);

    [LoggerMessage(3, LogLevel.Error, "Executor {Name}: a worker could not start: {Reason}")]
    private static partial void LogStartFailed(ILogger logger, Exception exception, string name, string reason);

    [LoggerMessage(4, LogLevel.Warning, "Executor {Name}: worker {WorkerId} exited with code {ExitCode} ({Cause}); it is replaced.")]
    private static partial void LogWorkerDied(ILogger logger, string name, int workerId, int? exitCode, string cause);

    [LoggerMessage(5, LogLevel.Warning, "Executor {Name}: killing worker {WorkerId}: {Reason}.")]
    private static partial void LogKilling(ILogger logger, string name, int workerId, string reason);

    [LoggerMessage(6, LogLevel.Debug, "Executor {Name}: worker {WorkerId} reached a recycling limit and is replaced.")]
    private static partial void LogRetiring(ILogger logger, string name, int workerId);

    [LoggerMessage(7, LogLevel.Debug, "Executor {Name} is shutting down: queued items are cancelled, running items may finish.")]
    private static partial void LogStopping(ILogger logger, string name);

    [LoggerMessage(8, LogLevel.Debug, "Executor {Name} stopped; every worker has exited.")]
    private static partial void LogStopped(ILogger logger, string name);

    [LoggerMessage(10, LogLevel.Error, "Executor {Name}: a supervision pass failed; the next one tries again.")]
    private static partial void LogSupervisionFailed(ILogger logger, Exception exception, string name);

    [LoggerMessage(9, LogLevel.Information, "Worker {WorkerId}: {Line}")]
    private static partial void LogWorkerOutput(ILogger logger, int workerId, string line);
}

/// <summary>The worker's own exit codes, for messages.</summary>
internal static class WorkerProgramExitCodes
{
    public const int ProtocolError = Worker.WorkerProgram.ProtocolError;
}
