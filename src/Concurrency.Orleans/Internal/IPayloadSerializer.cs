using System.Buffers;
using System.Collections.Concurrent;
using System.Reflection;
using Concurrency.Processes;

namespace Concurrency.Orleans.Internal;

/// <summary>
/// Turns workloads, inputs and results into bytes and back, by their declared types only: nothing on the
/// wire names a type to instantiate.
/// </summary>
/// <remarks>
/// A seam between the grain messages and the serializer they carry payloads of.
/// </remarks>
internal interface IPayloadSerializer
{
    /// <summary>Serializes <paramref name="value"/> as <typeparamref name="T"/>.</summary>
    byte[] Serialize<T>(T value);

    /// <summary>Serializes <paramref name="value"/> as <paramref name="type"/> (its runtime type, for a workload).</summary>
    byte[] Serialize(Type type, object value);

    /// <summary>Deserializes a <typeparamref name="T"/>.</summary>
    T Deserialize<T>(ReadOnlyMemory<byte> bytes);

    /// <summary>Deserializes a value of <paramref name="type"/>.</summary>
    object? Deserialize(Type type, ReadOnlyMemory<byte> bytes);
}

/// <summary>
/// The process pool's serializer (<see cref="MessagePackWorkSerializer"/>: contractless MessagePack, raw bytes for
/// large primitive arrays, never typeless), so that a workload that crosses a process boundary crosses a machine
/// boundary with the same bytes and the same rules.
/// </summary>
internal sealed class MessagePackPayloadSerializer : IPayloadSerializer
{
    public static readonly MessagePackPayloadSerializer Instance = new();

    private static readonly MethodInfo SerializeOpen = typeof(MessagePackPayloadSerializer).GetMethod(nameof(Serialize), 1, [Type.MakeGenericMethodParameter(0)])!;
    private static readonly MethodInfo DeserializeOpen = typeof(MessagePackPayloadSerializer).GetMethod(nameof(Deserialize), 1, [typeof(ReadOnlyMemory<byte>)])!;

    private readonly MessagePackWorkSerializer _inner = new();
    private readonly ConcurrentDictionary<Type, Func<object, byte[]>> _serializers = new();
    private readonly ConcurrentDictionary<Type, Func<ReadOnlyMemory<byte>, object?>> _deserializers = new();

    public byte[] Serialize<T>(T value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        _inner.Serialize(buffer, value);
        return buffer.WrittenSpan.ToArray();
    }

    public byte[] Serialize(Type type, object value) =>
        _serializers.GetOrAdd(type, static (t, self) =>
        {
            var method = SerializeOpen.MakeGenericMethod(t);
            return v => (byte[])method.Invoke(self, BindingFlags.DoNotWrapExceptions, null, [v], null)!;
        }, this)(value);

    public T Deserialize<T>(ReadOnlyMemory<byte> bytes) => _inner.Deserialize<T>(bytes);

    public object? Deserialize(Type type, ReadOnlyMemory<byte> bytes) =>
        _deserializers.GetOrAdd(type, static (t, self) =>
        {
            var method = DeserializeOpen.MakeGenericMethod(t);
            return b => method.Invoke(self, BindingFlags.DoNotWrapExceptions, null, [b], null);
        }, this)(bytes);
}
