using System.Buffers;
using System.Reflection;
using System.Runtime.InteropServices;
using Concurrency.Processes.Internal;
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
/// <para>
/// Types are resolved from the declared (static) types only — the contractless resolver of MessagePack,
/// with no typeless or polymorphic resolution: a member declared as <see cref="object"/> carries only
/// primitives, lists and maps, and nothing on the wire can name a type to create. Types must be public.
/// </para>
/// <para>
/// Every read treats its bytes as untrusted (<see cref="MessagePackSecurity.UntrustedData"/>): whatever a worker, a
/// parent or a remote peer sent, decoding is bounded in depth (<see cref="MaxDepth"/>) and builds hash-based
/// collections (dictionaries, sets) with collision-resistant hashing, so their keys must be primitives, strings,
/// enums or other types MessagePack has such hashing for. Writing checks the same depth, so that a value too deep to
/// be read fails where it is written, alone, with a message saying so, instead of failing the message it travels in;
/// and every formatter it writes through counts the levels it is nested in, so that a reference cycle or a chain far
/// deeper than the limit stops with an exception long before it could exhaust the writing thread's stack.
/// </para>
/// </remarks>
public sealed class MessagePackWorkSerializer : IWorkSerializer
{
    /// <summary>
    /// The deepest nesting of a value: levels of objects, collections and maps inside one another (a list of
    /// records of lists is 3). A value nested deeper cannot be serialized (the exception says so), because reading
    /// it would recurse as deep: the limit keeps a hostile or accidental structure from exhausting the reader's stack.
    /// An array of values at the top (a batch of inputs or results) adds one level of its own.
    /// </summary>
    public const int MaxDepth = 500;

    /// <inheritdoc/>
    public void Serialize<T>(IBufferWriter<byte> destination, T value)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (!Shape<T>.CanNestDeeply)
        {
            MessagePackSerializer.Serialize(destination, value, Shared.Options);
            return;
        }

        if (destination is FrameBuffer frame)
        {
            // The library's own buffer: check the bytes where they were written, and take them back if too deep.
            var mark = frame.Position;
            MessagePackSerializer.Serialize(frame, value, Shared.Options);
            if (NestsDeeperThan(frame.WrittenMemory[mark..], Shape<T>.DepthLimit))
            {
                frame.Position = mark;
                throw TooDeep();
            }

            return;
        }

        var bytes = MessagePackSerializer.Serialize(value, Shared.Options);
        if (NestsDeeperThan(bytes, Shape<T>.DepthLimit))
        {
            throw TooDeep();
        }

        destination.Write(bytes);
    }

    /// <inheritdoc/>
    public T Deserialize<T>(ReadOnlyMemory<byte> source)
    {
        try
        {
            return MessagePackSerializer.Deserialize<T>(source, Shared.Options);
        }
        catch (MessagePackSerializationException ex) when (ex.InnerException is InsufficientExecutionStackException)
        {
            throw new MessagePackSerializationException(
                $"Failed to deserialize {TypeGate.Describe(typeof(T))}: nesting deeper than {MaxDepth} levels (MessagePackWorkSerializer.MaxDepth), the most a reader accepts.");
        }
    }

    /// <summary>Whether the MessagePack value in <paramref name="bytes"/> has more than <paramref name="limit"/> levels of arrays and maps, measured without recursion.</summary>
    internal static bool NestsDeeperThan(ReadOnlyMemory<byte> bytes, int limit)
    {
        var reader = new MessagePackReader(bytes);

        // The number of elements still to read in each open array or map (a map's keys and values both count).
        var open = new Stack<long>();
        var readRoot = false;
        while (true)
        {
            while (open.Count > 0 && open.Peek() == 0)
            {
                open.Pop();
            }

            if (open.Count == 0)
            {
                if (readRoot)
                {
                    return false;
                }

                readRoot = true;
            }
            else
            {
                open.Push(open.Pop() - 1);
            }

            switch (reader.NextMessagePackType)
            {
                case MessagePackType.Array:
                    var elements = reader.ReadArrayHeader();
                    if (open.Count + 1 > limit)
                    {
                        return true;
                    }

                    open.Push(elements);
                    break;
                case MessagePackType.Map:
                    var entries = reader.ReadMapHeader();
                    if (open.Count + 1 > limit)
                    {
                        return true;
                    }

                    open.Push(2L * entries);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
    }

    private static MessagePackSerializationException TooDeep() =>
        new($"Nesting deeper than {MaxDepth} levels (MessagePackWorkSerializer.MaxDepth), the most a reader accepts: " +
            "flatten the structure (e.g. a list instead of a chain of nested objects) and check it for cycles.");

    /// <summary>
    /// The options, in a class of their own: MessagePack's resolvers take tens of milliseconds to initialize, which a
    /// worker pays after it reports ready (warming up while the pool sends its first batch), not in its constructor.
    /// </summary>
    private static class Shared
    {
        public static readonly MessagePackSerializerOptions Options = MessagePackSerializerOptions.Standard
            .WithResolver(new DepthLimitedResolver(CompositeResolver.Create(RawArrayResolver.Instance, ContractlessStandardResolver.Instance)))
            .WithSecurity(MessagePackSecurity.UntrustedData.WithMaximumObjectGraphDepth(MaxDepth + 1));
    }

    /// <summary>What the type of a value says about how deep it can nest.</summary>
    private static class Shape<T>
    {
        /// <summary>The most levels a <typeparamref name="T"/> may have: one more for an array (a batch of values).</summary>
        public static readonly int DepthLimit = typeof(T).IsArray ? MaxDepth + 1 : MaxDepth;

        /// <summary>Whether a <typeparamref name="T"/> can nest deeper than the limit at all: only then is its depth measured.</summary>
        public static readonly bool CanNestDeeply = Bound(typeof(T), []) > MaxDepth;
    }

    /// <summary>The most levels of arrays and maps a value of <paramref name="type"/> can have as MessagePack writes it, or <see cref="int.MaxValue"/> if unbounded (recursive types, <see cref="object"/>, interfaces).</summary>
    private static int Bound(Type type, HashSet<Type> visiting)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            type = underlying;
        }

        if (type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(DateTime) ||
            type == typeof(DateTimeOffset) || type == typeof(TimeSpan) || type == typeof(Guid) || type == typeof(byte[]) ||
            RawArrayResolver.Handles(type))
        {
            return 0;
        }

        if (type.IsArray)
        {
            return type.GetArrayRank() == 1 ? Add(1, Bound(type.GetElementType()!, visiting)) : int.MaxValue;
        }

        if (type == typeof(object) || type.IsInterface || type.IsAbstract || !visiting.Add(type))
        {
            return int.MaxValue;
        }

        try
        {
            var members = type.IsGenericType && typeof(System.Collections.IEnumerable).IsAssignableFrom(type)
                ? type.GetGenericArguments()
                : [.. type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.PropertyType),
                   .. type.GetFields(BindingFlags.Public | BindingFlags.Instance).Select(f => f.FieldType)];
            var deepest = 0;
            foreach (var member in members)
            {
                deepest = Math.Max(deepest, Bound(member, visiting));
            }

            return Add(1, deepest);
        }
        finally
        {
            visiting.Remove(type);
        }
    }

    private static int Add(int a, int b) => b == int.MaxValue ? b : a + b;

    /// <summary>Formats arrays of primitive types as one binary block: a block copy each way instead of one value at a time.</summary>
    private sealed class RawArrayResolver : IFormatterResolver
    {
        public static readonly RawArrayResolver Instance = new();

        public IMessagePackFormatter<T>? GetFormatter<T>() => Cache<T>.Formatter;

        /// <summary>Whether <paramref name="type"/> travels as one binary block.</summary>
        public static bool Handles(Type type) => Create(type) is not null;

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

        private static class Cache<T>
        {
            public static readonly IMessagePackFormatter<T>? Formatter = (IMessagePackFormatter<T>?)Create(typeof(T));
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
