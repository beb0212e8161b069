using MessagePack;
using MessagePack.Resolvers;

namespace Concurrency.Orleans.Internal;

/// <summary>
/// Turns workloads, inputs and results into bytes and back, by their declared types only: nothing on the
/// wire names a type to instantiate.
/// </summary>
/// <remarks>
/// A seam: the process pool's serializer is meant to replace <see cref="MessagePackPayloadSerializer"/> here once it
/// is shared, so that a workload that crosses a process boundary also crosses a machine boundary.
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
/// MessagePack, contractless (public members by name, no attributes needed on user types), with the
/// untrusted-data guard on. Never typeless: the type always comes from the receiver, never from the bytes.
/// </summary>
internal sealed class MessagePackPayloadSerializer : IPayloadSerializer
{
    public static readonly MessagePackPayloadSerializer Instance = new();

    private static readonly MessagePackSerializerOptions Options = ContractlessStandardResolver.Options
        .WithSecurity(MessagePackSecurity.UntrustedData);

    public byte[] Serialize<T>(T value) => MessagePackSerializer.Serialize(value, Options);

    public byte[] Serialize(Type type, object value) => MessagePackSerializer.Serialize(type, value, Options);

    public T Deserialize<T>(ReadOnlyMemory<byte> bytes) => MessagePackSerializer.Deserialize<T>(bytes, Options);

    public object? Deserialize(Type type, ReadOnlyMemory<byte> bytes) => MessagePackSerializer.Deserialize(type, bytes, Options);
}
