using System.Buffers.Binary;
using Concurrency.Processes.Internal;
using Concurrency.Testing;

namespace Concurrency.Processes.Tests;

/// <summary>Workers load only what their parent names from the application; the IPC is private to the owner.</summary>
public sealed class SecurityTests
{
    [Fact]
    public void TypeGate_AssemblyOutsideTheApplication_IsRefused()
    {
        var ex = Assert.Throws<TypeLoadException>(() => TypeGate.Resolve("Evil.Payload, EvilAssembly"));
        Assert.Equal("Type 'Evil.Payload, EvilAssembly' was refused: assembly EvilAssembly is not one of the application's own assemblies (those listed by its deps.json).", ex.Message);
    }

    [Fact]
    public void TypeGate_TypeThatIsNotAWorkloadOfTheNamedTypes_IsRefused()
    {
        Assert.Equal("it does not implement Concurrency.IWorkload<System.Int32, System.Int32>", TypeGate.CheckCreatable(typeof(System.Diagnostics.Process), typeof(IWorkload<int, int>)));
        Assert.Equal("it does not implement Concurrency.IWorkload<System.String, System.Int32>", TypeGate.CheckCreatable(typeof(AddOne), typeof(IWorkload<string, int>)));
        Assert.Equal("it is not public", TypeGate.CheckCreatable(typeof(InternalWorkload), typeof(IWorkload<int, int>)));
        Assert.Null(TypeGate.CheckCreatable(typeof(AddOne), typeof(IWorkload<int, int>)));
    }

    public static TheoryData<string, string, string, string> RefusedDefinitions => new()
    {
        { "System.Diagnostics.Process, System.Diagnostics.Process", "System.Int32, System.Private.CoreLib", "System.Int32, System.Private.CoreLib", "it does not implement Concurrency.IWorkload<System.Int32, System.Int32>" },
        { TypeGate.NameOf(typeof(AddOne)), "System.String, System.Private.CoreLib", "System.Int32, System.Private.CoreLib", "it does not implement Concurrency.IWorkload<System.String, System.Int32>" },
        { TypeGate.NameOf(typeof(InternalWorkload)), "System.Int32, System.Private.CoreLib", "System.Int32, System.Private.CoreLib", "it is not public" },
        { "Evil.Payload, EvilAssembly", "System.Int32, System.Private.CoreLib", "System.Int32, System.Private.CoreLib", "assembly EvilAssembly is not one of the application's own assemblies" },
    };

    [Theory]
    [MemberData(nameof(RefusedDefinitions))]
    public async Task Worker_DefinitionOfATypeItMustNotCreate_RefusesItAndFailsTheBatch(string workload, string input, string result, string reason)
    {
        await using var harness = await RawWorker.StartAsync();

        var frames = new FrameBuffer();
        frames.BeginFrame(FrameType.DefineWorkload);
        frames.WriteInt32(1);
        frames.WriteString(workload);
        frames.WriteString(input);
        frames.WriteString(result);
        frames.EndFrame();
        frames.BeginFrame(FrameType.Batch);
        frames.WriteInt32(0);
        frames.WriteInt32(1);
        frames.WriteInt32(1);
        frames.WriteInt32(2);
        frames.WriteInt32(0);
        frames.WriteInt32(0);
        frames.EndFrame();
        harness.Worker.SendRawForTesting(frames.WrittenSpan);

        var (type, payload) = await harness.Frames.Reader.ReadAsync().AsTask().Bounded();
        Assert.Equal(FrameType.Results, type);
        var reader = new PayloadReader(payload, type);
        Assert.Equal(0, reader.ReadInt32());
        Assert.Equal(1, reader.ReadInt32());
        Assert.Equal(0, reader.ReadInt32());
        Assert.Equal(2, reader.ReadInt32());
        Assert.Equal(ResultFlags.Finished | ResultFlags.HasStatuses, (ResultFlags)reader.ReadByte());
        reader.ReadInt64();
        reader.ReadInt32();
        Assert.Equal((byte)ItemStatus.WorkloadRefused, reader.ReadByte());
        Assert.Equal((byte)ItemStatus.WorkloadRefused, reader.ReadByte());
        var message = reader.ReadRequiredString();
        Assert.StartsWith($"Worker 7 cannot load workload type '{workload}':", message, StringComparison.Ordinal);
        Assert.Contains(reason, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Worker_ObjectTypedMember_NeverBecomesTheSendersType()
    {
        await using var pool = TestSupport.Pool(workers: 1);
        var seen = await pool.SubmitAsync(new TypeOfMember(), new WithDelegate { Callback = new Point(1, 2) }).Bounded();
        Assert.Equal(typeof(Dictionary<object, object>).FullName, seen);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void ProgressRegion_File_IsAnUnnamedMemoryFilePrivateToTheOwner()
    {
        var before = LeakCheck.SharedMemoryFiles("concurrency-");
        using var region = ProgressRegion.Create(2);

        // No name in any file system: the worker reaches it through our /proc entry, which only our user may open.
        Assert.StartsWith($"/proc/{Environment.ProcessId}/fd/", region.Path, StringComparison.Ordinal);
        Assert.StartsWith("/memfd:concurrency-progress", new FileInfo(region.Path).LinkTarget, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(region.Path));
        Assert.Equal(before, LeakCheck.SharedMemoryFiles("concurrency-"));
    }

    [Fact]
    public async Task Worker_Pipes_AreAnonymousAndTheProgressFileIsUnlinked()
    {
        await using var pool = TestSupport.Pool(workers: 1);
        var (_, pid) = await pool.SubmitAsync(new WhereAmI(), 0).Bounded();

        // The worker's stdin reads /dev/null and its stdout is its stderr: the protocol lives on private duplicates.
        Assert.Equal("/dev/null", Link(pid, 0));
        Assert.StartsWith("pipe:[", Link(pid, 1), StringComparison.Ordinal);
        Assert.Equal(Link(pid, 2), Link(pid, 1));

        // The pipes between us and the worker (its stdin, its protocol stdout, its stderr) are anonymous: nothing in the
        // file system another user could open. The progress region it maps is an unnamed memory file.
        var ours = Directory.EnumerateFileSystemEntries($"/proc/{Environment.ProcessId}/fd").Select(f => new FileInfo(f).LinkTarget).ToHashSet();
        var workerFds = Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").Select(f => new FileInfo(f).LinkTarget ?? string.Empty).ToList();
        Assert.True(workerFds.Count(t => t.StartsWith("pipe:[", StringComparison.Ordinal) && ours.Contains(t)) >= 3);
        Assert.DoesNotContain(workerFds, t => t.StartsWith("/dev/shm/", StringComparison.Ordinal));
        Assert.Empty(LeakCheck.SharedMemoryFiles("concurrency-progress-"));
    }

    private static string? Link(int pid, int fd) => new FileInfo($"/proc/{pid}/fd/{fd}").LinkTarget;
}

/// <summary>A worker process driven frame by frame, without a pool.</summary>
internal sealed class RawWorker : IAsyncDisposable
{
    private RawWorker(WorkerProcess worker) => Worker = worker;

    public WorkerProcess Worker { get; }

    public System.Threading.Channels.Channel<(FrameType Type, ReadOnlyMemory<byte> Payload)> Frames { get; } =
        System.Threading.Channels.Channel.CreateUnbounded<(FrameType, ReadOnlyMemory<byte>)>();

    public static async Task<RawWorker> StartAsync()
    {
        var worker = WorkerProcess.Start(7, WorkerLaunch.ForThisApp, 1, TypeGate.NameOf(typeof(MessagePackWorkSerializer)), null, 0, 0, transport: null, (_, _) => { });
        var harness = new RawWorker(worker);
        worker.StartReader(
            (_, type, payload) =>
            {
                if (type == FrameType.Ready)
                {
                    worker.Ready.TrySetResult();
                }
                else
                {
                    harness.Frames.Writer.TryWrite((type, payload.ToArray()));
                }
            },
            (_, _) => harness.Frames.Writer.TryComplete());
        await worker.Ready.Task.Bounded();
        return harness;
    }

    public async ValueTask DisposeAsync()
    {
        Worker.SendShutdown();
        await Worker.Exited.Bounded();
        Assert.Equal(0, Worker.WaitForExitCode(TimeSpan.FromSeconds(10)));
        Worker.Progress.Dispose();
        Worker.Process.Dispose();
    }
}
