using System.Buffers;
using System.Runtime.InteropServices;
using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;

namespace Concurrency.Processes;

/// <summary>
/// The default <see cref="IWorkSerializer"/>: MessagePack without attributes on user types. Records,
/// classes with public properties, tuples, arrays, lists, dictionaries and primitives serialize as they
/// are; large primitive arrays (<see cref="double"/>[], <see cref="int"/>[], ...) travel as raw bytes.
/// </summary>
/// <remarks>
/// Types are resolved from the declared (static) types only — the contractless resolver of MessagePack,
/// with no typeless or polymorphic resolution: a member declared as <see cref="object"/> carries only
/// primitives, lists and maps, and nothing on the wire can name a type to create. Types must be public.
/// </remarks>
public sealed class MessagePackWorkSerializer : IWorkSerializer
{
    /// <inheritdoc/>
    public void Serialize<T>(IBufferWriter<byte> destination, T value) => MessagePackSerializer.Serialize(destination, value, Shared.Options);

    /// <inheritdoc/>
    public T Deserialize<T>(ReadOnlyMemory<byte> source) => MessagePackSerializer.Deserialize<T>(source, Shared.Options);

    /// <summary>
    /// The options, in a class of their own: MessagePack's resolvers take tens of milliseconds to initialize, which a
    /// worker pays after it reports ready (warming up while the pool sends its first batch), not in its constructor.
    /// </summary>
    private static class Shared
    {
        public static readonly MessagePackSerializerOptions Options = MessagePackSerializerOptions.Standard
            .WithResolver(new DepthLimitedResolver(CompositeResolver.Create(RawArrayResolver.Instance, ContractlessStandardResolver.Instance)));
    }

    /// <summary>Formats arrays of primitive types as one binary block: a block copy each way instead of one value at a time.</summary>
    private sealed class RawArrayResolver : IFormatterResolver
    {
        public static readonly RawArrayResolver Instance = new();

        public IMessagePackFormatter<T>? GetFormatter<T>() => Cache<T>.Formatter;

        private static class Cache<T>
        {
            public static readonly IMessagePackFormatter<T>? Formatter = (IMessagePackFormatter<T>?)Create(typeof(T));

            private static object? Create(Type type) =>
                type == typeof(double[]) ? new RawArrayFormatter<double>()
                : type == typeof(float[]) ? new RawArrayFormatter<float>()
                : type == typeof(int[]) ? new RawArrayFormatter<int>()
                : type == typeof(long[]) ? new RawArrayFormatter<long>()
                : type == typeof(short[]) ? new RawArrayFormatter<short>()
                : type == typeof(ushort[]) ? new RawArrayFormatter<ushort>()
                : type == typeof(uint[]) ? new RawArrayFormatter<uint>()
                : type == typeof(ulong[]) ? new RawArrayFormatter<ulong>()
                : type == typeof(sbyte[]) ? new RawArrayFormatter<sbyte>()
                : type == typeof(char[]) ? new RawArrayFormatter<char>()
                : type == typeof(Half[]) ? new RawArrayFormatter<Half>()
                : null;
        }
    }

    private sealed class RawArrayFormatter<T> : IMessagePackFormatter<T[]?>
        where T : unmanaged
    {
        public void Serialize(ref MessagePackWriter writer, T[]? value, MessagePackSerializerOptions options)
        {
            if (value is null)
            {
                writer.WriteNil();
                return;
            }

            var bytes = MemoryMarshal.AsBytes(value.AsSpan());
            writer.WriteBinHeader(bytes.Length);
            writer.WriteRaw(bytes);
        }

        public T[]? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
        {
            if (reader.TryReadNil())
            {
                return null;
            }

            var bytes = reader.ReadBytes() ?? throw new MessagePackSerializationException($"Expected the bytes of a {typeof(T).Name}[].");
            var size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
            if (bytes.Length % size != 0)
            {
                throw new MessagePackSerializationException($"A {typeof(T).Name}[] block of {bytes.Length} bytes is not a whole number of {size}-byte elements.");
            }

            var array = GC.AllocateUninitializedArray<T>((int)(bytes.Length / size));
            bytes.CopyTo(MemoryMarshal.AsBytes(array.AsSpan()));
            return array;
        }
    }
}
