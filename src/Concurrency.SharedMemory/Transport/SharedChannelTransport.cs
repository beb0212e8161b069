using System.Runtime.Versioning;
using Concurrency.Processes.Internal;

namespace Concurrency.SharedMemory.Transport;

/// <summary>
/// The process pool's frames on <see cref="SharedChannel"/> rings instead of pipes: after the Hello, no system call
/// while work flows, and a futex sleep when idle.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class SharedChannelTransport : IWorkerTransport
{
    private readonly int _spinMicroseconds;

    /// <summary>Initializes the worker side (it learns the spin from the channel's header).</summary>
    public SharedChannelTransport()
    {
    }

    /// <summary>Initializes the parent side: both sides of every channel poll for <paramref name="spin"/> before they sleep.</summary>
    public SharedChannelTransport(TimeSpan spin)
    {
        _spinMicroseconds = (int)Math.Min(SharedRing.MaxSpinMicroseconds, spin.Ticks / TimeSpan.TicksPerMicrosecond);
    }

    /// <summary>The bytes of each ring: large enough that a batch of tiny items or a result frame rarely waits for space.</summary>
    internal const int RingCapacity = 1 << 20;

    public string Kind => SharedMemoryExecutor.KindName;

    public string WorkerSideType => typeof(SharedChannelTransport).AssemblyQualifiedName!;

    public IWorkerConnection Connect() => new Connection(SharedChannel.Create(RingCapacity, _spinMicroseconds));

    public (Stream Input, Stream Output) OpenInWorker(string name)
    {
        var channel = SharedChannel.Open(name, RingCapacity);

        // A worker runs item after item on the same segments: keep their mappings between items.
        Internal.SegmentRegistry.KeepMappings = true;
        var stream = new SharedRingStream(channel, ownsChannel: true);
        return (stream, stream);
    }

    private sealed class Connection(SharedChannel channel) : IWorkerConnection
    {
        private readonly SharedRingStream _stream = new(channel, ownsChannel: true);

        public string Name => channel.Name;

        public Stream Input => _stream;

        public Stream Output => _stream;

        public void Close() => channel.Close();

        public void Dispose() => _stream.Dispose();
    }
}
