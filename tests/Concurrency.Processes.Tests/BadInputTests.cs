using System.Globalization;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.Serialization;
using System.Text.RegularExpressions;
using Concurrency.Testing;

namespace Concurrency.Processes.Tests;

/// <summary>Inputs, results, workloads and messages that cannot cross: each a clear exception, never a hang.</summary>
/// <remarks>Written once for every executor built on the process pool; a sealed subclass per executor says which (<see cref="PoolKind"/>).</remarks>
public abstract class BadInputTests : IAsyncLifetime
{
    private readonly PoolKind _kind;
    private IWorkExecutor _pool = null!;

    private protected BadInputTests(PoolKind kind) => _kind = kind;

    public Task InitializeAsync()
    {
        _pool = _kind.Create(workers: 1);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _pool.DisposeAsync().Bounded();
        PoolKind.AssertNothingLeft();
    }

    [Fact]
    public async Task SubmitAsync_UnserializableInput_FailsWithSerializationExceptionNamingTheType()
    {
        var ex = await Assert.ThrowsAsync<SerializationException>(() => _pool.SubmitAsync(new TakesDelegate(), new WithDelegate { Callback = new Func<int>(() => 1) }).Bounded());
        Assert.StartsWith($"The input of type {typeof(WithDelegate).FullName} cannot be serialized for a worker process:", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, await _pool.SubmitAsync(new AddOne(), 1).Bounded());
    }

    [Fact]
    public async Task MapOutcomesAsync_OneUnserializableInputInABatch_FailsOnlyThatItem()
    {
        WithDelegate[] inputs = [new(), new() { Callback = new Func<int>(() => 1) }, new()];
        var outcomes = await _pool.MapOutcomesAsync(new TakesDelegate(), inputs, new MapOptions { BatchSize = 3 }).ToListBounded();
        Assert.Equal([true, false, true], outcomes.Select(o => o.Succeeded));
        Assert.IsType<SerializationException>(outcomes[1].Exception);
    }

    [Fact]
    public async Task MapOutcomesAsync_UnserializableResults_FailOnlyTheirItems()
    {
        var outcomes = await _pool.MapOutcomesAsync(new ReturnsDelegate(), Enumerable.Range(0, 6), new MapOptions { BatchSize = 6 }).ToListBounded();
        Assert.Equal([true, false, true, false, true, false], outcomes.Select(o => o.Succeeded));
        var ex = Assert.IsType<SerializationException>(outcomes[1].Exception);
        Assert.StartsWith($"The result of type {typeof(WithDelegate).FullName} cannot be serialized:", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, await _pool.SubmitAsync(new AddOne(), 1).Bounded());
    }

    [Fact]
    public async Task SubmitAsync_NonPublicWorkload_FailsWithAnActionableMessage()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => _pool.SubmitAsync(new InternalWorkload(), 1).Bounded());
        Assert.Equal(
            $"Workload type {typeof(InternalWorkload).FullName} cannot run in a worker process: it is not public. A workload that runs in worker processes must be a public, " +
            "non-abstract class with a public parameterless constructor, defined in the application's own assemblies; its public properties travel with it.",
            ex.Message);
    }

    [Fact]
    public async Task SubmitAsync_WorkloadWithoutParameterlessConstructor_FailsWithAnActionableMessage()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => _pool.SubmitAsync(new NeedsArgument(1), 1).Bounded());
        Assert.StartsWith($"Workload type {typeof(NeedsArgument).FullName} cannot run in a worker process: it has no public parameterless constructor.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitAsync_WorkloadFromADynamicAssembly_FailsBecauseWorkersCannotLoadIt()
    {
        var workload = (IWorkload<int, int>)Activator.CreateInstance(EmitWorkloadType())!;
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => _pool.SubmitAsync(workload, 1).Bounded());
        Assert.StartsWith("Workload type Emitted.Workload cannot run in a worker process: its assembly EmittedWorkloads is dynamic (emitted at run time).", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 0, 0, 200 }, "Malformed message: unknown frame type 200.")]
    [InlineData(new byte[] { 0xff, 0xff, 0xff, 0x7f, 12 }, "Malformed message: a frame announces a payload of 2147483647 bytes; the limit is 1073741824.")]
    [InlineData(new byte[] { 3, 0, 0, 0, 12, 1, 2, 3 }, "Malformed message: a Results frame of 3 bytes is inconsistent (4 more bytes needed with 3 left).")]
    public async Task SubmitAsync_WorkerSendsAMalformedMessage_FailsTheItemAndReplacesTheWorker(byte[] frame, string problem)
    {
        var (workerId, pid) = await _pool.SubmitAsync(new WhereAmI(), 0).Bounded();

        var ex = await Assert.ThrowsAsync<WorkerCrashedException>(() => _pool.SubmitAsync(new CorruptProtocol(), frame).Bounded());

        Assert.Equal($"Worker {workerId} sent a malformed message while running an item of {typeof(CorruptProtocol).FullName} and was killed: {problem} The worker was replaced.", ex.Message);
        Assert.Equal(workerId, ex.WorkerId);
        Assert.Equal(137, ex.ExitCode);
        Assert.Equal(2, await _pool.SubmitAsync(new AddOne(), 1).Bounded());
    }

    [Fact]
    public async Task SubmitAsync_WorkerDiesHalfWayThroughAMessage_FailsTheItemAsTruncated()
    {
        var (workerId, _) = await _pool.SubmitAsync(new WhereAmI(), 0).Bounded();

        var ex = await Assert.ThrowsAsync<WorkerCrashedException>(() => _pool.SubmitAsync(new TruncateProtocol(), 0).Bounded());

        Assert.Equal(
            $"Worker {workerId} exited with code 3 (the workload or a library it calls ended the process, e.g. with Environment.Exit) while running an item of {typeof(TruncateProtocol).FullName}, " +
            "in the middle of a message (Truncated message: the stream ended after 8 of the 105 bytes of a frame.); the worker was replaced.",
            ex.Message);
        Assert.Equal(3, ex.ExitCode);
    }

    /// <param name="written">The payload bytes written before the worker is killed; -1: it is killed while it writes.</param>
    /// <param name="announced">The payload length in the frame's header.</param>
    [Theory]
    [InlineData(3, 100)] // a few bytes of a small frame
    [InlineData(600 * 1024, 800 * 1024)] // more than half a shared-memory ring (1 MiB): it wraps past the ring's end
    [InlineData(1536 * 1024, 3 * 1024 * 1024)] // more than a whole ring (or pipe): the writer waited for the pool to read
    [InlineData(-1, 64 * 1024 * 1024)] // killed by another thread in the middle of writing (most likely while waiting for space)
    public async Task MapOutcomesAsync_WorkerKilledWhileWritingResults_FailsOnlyThatItemAndAReplacementRunsTheRest(int written, int announced)
    {
        var (workerId, pid) = await _pool.SubmitAsync(new WhereAmI(), 0).Bounded();

        // A large result through the same worker first: the partial frame then starts past the middle of a ring.
        Assert.Equal(700 * 1024, (await _pool.SubmitAsync(new Ballast(), 700 * 1024).Bounded()).Length);
        var inputs = Enumerable.Range(0, 20).Select(i => (i, i == 7 ? written : 0, announced)).ToList();
        var outcomes = await _pool.MapOutcomesAsync(new DieWhileWritingResults(), inputs, new MapOptions { BatchSize = 20 }).ToListBounded();

        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), outcomes.Select(o => o.Index));
        var crash = Assert.IsType<WorkerCrashedException>(outcomes[7].Exception);
        var match = Regex.Match(
            crash.Message,
            $@"^Worker {workerId} exited with code 137 \(SIGKILL: killed from outside, e\.g\. by kill -9 or by the out-of-memory killer\) while running an item of {Regex.Escape(typeof(DieWhileWritingResults).FullName!)}, " +
            $@"in the middle of a message \(Truncated message: the stream ended after (\d+) of the {5 + announced} bytes of a frame\.\); the worker was replaced\.$");
        Assert.True(match.Success, crash.Message);
        var received = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        if (written > 0)
        {
            Assert.Equal(5 + written, received);
        }
        else
        {
            Assert.InRange(received, 5 + DieWhileWritingResults.Chunk, 5 + announced - 1);
        }

        Assert.Equal(workerId, crash.WorkerId);
        Assert.Equal(137, crash.ExitCode);
        Assert.False(LeakCheck.IsAlive(pid));
        Assert.All(outcomes.Where(o => o.Index != 7), o => Assert.Equal(o.Index * 2, o.Result.Doubled));
        Assert.All(outcomes.Where(o => o.Index > 7), o => Assert.Equal(workerId + 1, o.Result.WorkerId));
        var (after, afterPid) = await _pool.SubmitAsync(new WhereAmI(), 0).Bounded();
        Assert.Equal(workerId + 1, after);
        Assert.NotEqual(pid, afterPid);
    }

    [Fact]
    public async Task SubmitAsync_WorkerStopsHalfWayThroughAMessageButLives_FailsTheItemInsteadOfHanging()
    {
        _kind.PoolOf(_pool).FrameStallTimeout = TimeSpan.FromMilliseconds(300);
        var (workerId, _) = await _pool.SubmitAsync(new WhereAmI(), 0).Bounded();

        var ex = await Assert.ThrowsAsync<WorkerCrashedException>(() => _pool.SubmitAsync(new CorruptProtocol(), [100, 0, 0, 0, 12, 0, 0, 0]).Bounded());

        Assert.Equal(
            $"Worker {workerId} sent a malformed message while running an item of {typeof(CorruptProtocol).FullName} and was killed: " +
            "Truncated message: no byte of a started frame arrived for 300 ms. The worker was replaced.",
            ex.Message);
        Assert.Equal(137, ex.ExitCode);
        Assert.Equal(2, await _pool.SubmitAsync(new AddOne(), 1).Bounded());
    }

    /// <summary>A Results frame whose positions or counts are out of range, including values whose sum overflows an int.</summary>
    [Theory]
    [InlineData(1, int.MaxValue, 0L, 0, "Malformed message: results for positions 1..2147483648 of a batch of 1.")]
    [InlineData(int.MaxValue, 1, 0L, 0, "Malformed message: results for positions 2147483647..2147483648 of a batch of 1.")]
    [InlineData(0, 1, -1L, 0, "Malformed message: a Results frame reports 0 executed items and -1 ticks for 1 positions.")]
    [InlineData(0, 1, 0L, 2, "Malformed message: a Results frame reports 2 executed items and 0 ticks for 1 positions.")]
    public async Task SubmitAsync_WorkerSendsResultsOutOfRange_FailsTheItemAndReplacesTheWorker(int start, int count, long ticks, int executed, string problem)
    {
        var forged = new ForgedResults { Start = start, Count = count, Ticks = ticks, Executed = executed, Tail = [0, 0, 0, 0] };

        var ex = await Assert.ThrowsAsync<WorkerCrashedException>(() => _pool.SubmitAsync(new ForgeResults(), forged).Bounded());

        Assert.Equal($"Worker {ex.WorkerId} sent a malformed message while running an item of {typeof(ForgeResults).FullName} and was killed: {problem} The worker was replaced.", ex.Message);
        Assert.Equal(137, ex.ExitCode);
        Assert.Equal(2, await _pool.SubmitAsync(new AddOne(), 1).Bounded());
    }

    /// <summary>Results nested far deeper than any stack holds (a million arrays), written past the worker's serializer: the parent reads to its depth limit, then fails the item.</summary>
    [Fact]
    public async Task SubmitAsync_WorkerSendsAResultNestedAMillionDeep_FailsTheItemAndThePoolKeepsServing()
    {
        const int Depth = 1_000_000;
        var block = new byte[4 + 1 + Depth + 1];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(block, block.Length - 4);
        block.AsSpan(4, 1 + Depth).Fill(0x91); // the batch's array of results, then a million one-element arrays
        block[^1] = 0xc0; // nil at the bottom
        var forged = new ForgedResults { Count = 1, Flags = 1, Tail = block, ExitAfter = true };

        var ex = await Assert.ThrowsAsync<SerializationException>(() => _pool.SubmitAsync(new ForgeResults(), forged).Bounded());

        Assert.Matches(
            $@"^The results of {Regex.Escape(typeof(ForgeResults).FullName!)} \(System.Object\) sent by worker \d+ cannot be deserialized: " +
            @"Failed to deserialize System\.Object\[\]: nesting deeper than 500 levels \(MessagePackWorkSerializer\.MaxDepth\), the most a reader accepts\.$",
            ex.Message);
        Assert.Equal(2, await _pool.SubmitAsync(new AddOne(), 1).Bounded());
    }

    /// <summary>A result deeper than the limit fails alone, where it is written, naming its type and the limit; its neighbours, one at the limit, succeed.</summary>
    [Fact]
    public async Task MapOutcomesAsync_OneResultNestedDeeperThanTheLimit_FailsOnlyThatItem()
    {
        var outcomes = await _pool.MapOutcomesAsync(new Nest(), [1, MessagePackWorkSerializer.MaxDepth + 1, MessagePackWorkSerializer.MaxDepth], new MapOptions { BatchSize = 3 }).ToListBounded();

        Assert.Equal([true, false, true], outcomes.Select(o => o.Succeeded));
        var ex = Assert.IsType<SerializationException>(outcomes[1].Exception);
        Assert.StartsWith(
            "The result of type System.Object[] cannot be serialized: MessagePack.MessagePackSerializationException: Nesting deeper than 500 levels (MessagePackWorkSerializer.MaxDepth), " +
            "the most a reader accepts: flatten the structure (e.g. a list instead of a chain of nested objects) and check it for cycles." + Environment.NewLine + "In the worker: ",
            ex.Message,
            StringComparison.Ordinal);
        Assert.Equal(1, Nest.DepthOf(outcomes[0].Result));
        Assert.Equal(MessagePackWorkSerializer.MaxDepth, Nest.DepthOf(outcomes[2].Result));
    }

    /// <summary>A header that announces a payload of 1 GiB, then nothing: the parent allocates for the bytes that arrive, not for the announcement.</summary>
    [Fact]
    public async Task SubmitAsync_WorkerAnnouncesAGigabyteAndStalls_FailsTheItemWithoutAllocatingIt()
    {
        _kind.PoolOf(_pool).FrameStallTimeout = TimeSpan.FromMilliseconds(300);
        Assert.Equal(2, await _pool.SubmitAsync(new AddOne(), 1).Bounded());
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);

        var ex = await Assert.ThrowsAsync<WorkerCrashedException>(() => _pool.SubmitAsync(new CorruptProtocol(), [0xff, 0xff, 0xff, 0x3f, 12, 1, 2, 3]).Bounded());

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        Assert.Equal(
            $"Worker {ex.WorkerId} sent a malformed message while running an item of {typeof(CorruptProtocol).FullName} and was killed: " +
            "Truncated message: no byte of a started frame arrived for 300 ms. The worker was replaced.",
            ex.Message);
        Assert.InRange(allocated, 0, 64 * 1024 * 1024);
        Assert.Equal(2, await _pool.SubmitAsync(new AddOne(), 1).Bounded());
    }

    private static Type EmitWorkloadType()
    {
        var assembly = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("EmittedWorkloads"), AssemblyBuilderAccess.Run);
        var module = assembly.DefineDynamicModule("EmittedWorkloads");
        var type = module.DefineType("Emitted.Workload", TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Class);
        type.AddInterfaceImplementation(typeof(IWorkload<int, int>));
        type.DefineDefaultConstructor(MethodAttributes.Public);
        var execute = type.DefineMethod(
            "Execute",
            MethodAttributes.Public | MethodAttributes.Virtual | MethodAttributes.Final | MethodAttributes.HideBySig | MethodAttributes.NewSlot,
            typeof(int),
            [typeof(int), typeof(WorkContext)]);
        var il = execute.GetILGenerator();
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ret);
        type.DefineMethodOverride(execute, typeof(IWorkload<int, int>).GetMethod("Execute")!);
        return type.CreateType();
    }
}

/// <summary>Writes the first 8 bytes of a 105-byte frame, then ends the process: the pool sees a truncated message.</summary>
public sealed class TruncateProtocol : IWorkload<int, int>
{
    public int Execute(int input, WorkContext context)
    {
        Concurrency.Processes.Worker.WorkerHost.Current!.WriteRawForTesting([100, 0, 0, 0, 12, 0, 0, 0]);
        Environment.Exit(3);
        return 0;
    }
}

/// <summary>The fields of a Results frame that <see cref="ForgeResults"/> writes.</summary>
public sealed class ForgedResults
{
    public int Start { get; set; }

    public int Count { get; set; }

    /// <summary>Gets or sets the frame's flags (1: the batch's last frame).</summary>
    public byte Flags { get; set; }

    public long Ticks { get; set; }

    public int Executed { get; set; }

    /// <summary>Gets or sets the bytes after the fixed fields: statuses, details, the results block.</summary>
    public byte[] Tail { get; set; } = [];

    /// <summary>Gets or sets a value indicating whether the worker exits (code 3) once the frame is out, instead of waiting to be killed.</summary>
    public bool ExitAfter { get; set; }
}

/// <summary>Writes a Results frame for the batch it runs (its slot, its sequence number) with the fields it is given, bypassing the worker's encoder.</summary>
public sealed class ForgeResults : IWorkload<ForgedResults, object?>
{
    public object? Execute(ForgedResults input, WorkContext context)
    {
        var host = Concurrency.Processes.Worker.WorkerHost.Current!;
        var frame = new Concurrency.Processes.Internal.FrameBuffer();
        frame.BeginFrame(Concurrency.Processes.Internal.FrameType.Results);
        frame.WriteInt32(0);
        frame.WriteInt32(host.Progress.Read(0).Seq);
        frame.WriteInt32(input.Start);
        frame.WriteInt32(input.Count);
        frame.WriteByte(input.Flags);
        frame.WriteInt64(input.Ticks);
        frame.WriteInt32(input.Executed);
        frame.WriteBytes(input.Tail);
        frame.EndFrame();
        host.WriteRawForTesting(frame.WrittenSpan);
        if (input.ExitAfter)
        {
            Environment.Exit(3);
        }

        Thread.Sleep(Timeout.Infinite);
        return null;
    }
}

/// <summary>Returns one-element arrays nested <c>input</c> deep, in an object-typed result.</summary>
public sealed class Nest : IWorkload<int, object?>
{
    public static int DepthOf(object? value)
    {
        var depth = 0;
        while (value is object?[] { Length: 1 } array)
        {
            depth++;
            value = array[0];
        }

        return depth;
    }

    public object? Execute(int input, WorkContext context)
    {
        object? value = null;
        for (var i = 0; i < input; i++)
        {
            value = new object?[] { value };
        }

        return value;
    }
}
