using MessagePack;
using MessagePack.Formatters;

namespace Concurrency.Processes;

/// <summary>
/// Wraps a resolver so that writing through more than <see cref="MaxDepth"/> nested formatters throws instead of
/// recursing on: MessagePack bounds the depth it reads, not the depth it writes, and a value with a reference cycle
/// (or a linked list of 50,000 nodes) would overflow the writing thread's stack, which no catch survives. Every
/// member's formatter comes from this resolver, so each level of the object graph passes through the guard.
/// </summary>
/// <remarks>
/// This is the stack's backstop, not the depth rule: a level of the value can take more than one formatter (a member
/// typed <see cref="object"/> goes through the object formatter, then the value's own), so the guard allows several
/// formatters per level of <see cref="MessagePackWorkSerializer.MaxDepth"/>, and that rule, checked on what was
/// written, decides what is too deep. Workers run items (and write their results) on threads with a stack large enough
/// for the guard's depth.
/// </remarks>
internal sealed class DepthLimitedResolver(IFormatterResolver inner) : IFormatterResolver
{
    /// <summary>The most formatters nested while writing: four per level a reader accepts, and a few for the message around the value.</summary>
    public const int MaxDepth = (4 * MessagePackWorkSerializer.MaxDepth) + 8;

    [ThreadStatic]
    private static int t_depth;

    public IMessagePackFormatter<T>? GetFormatter<T>() => Cache<T>.For(inner);

    private static class Cache<T>
    {
        private static Tuple<IFormatterResolver, IMessagePackFormatter<T>?>? s_entry;

        public static IMessagePackFormatter<T>? For(IFormatterResolver inner)
        {
            if (Volatile.Read(ref s_entry) is { } entry && ReferenceEquals(entry.Item1, inner))
            {
                return entry.Item2;
            }

            var formatter = inner.GetFormatter<T>() is { } found ? new Guard<T>(found) : null;
            Volatile.Write(ref s_entry, Tuple.Create(inner, (IMessagePackFormatter<T>?)formatter));
            return formatter;
        }
    }

    private sealed class Guard<T>(IMessagePackFormatter<T> inner) : IMessagePackFormatter<T>
    {
        public void Serialize(ref MessagePackWriter writer, T value, MessagePackSerializerOptions options)
        {
            if (++t_depth > MaxDepth)
            {
                t_depth--;
                throw new MessagePackSerializationException(
                    $"The object graph is nested through more than {MaxDepth} formatters (at a {typeof(T).Name}): a reference cycle, or a structure nested far deeper than the {MessagePackWorkSerializer.MaxDepth} levels a reader accepts. " +
                    "Send a flat form instead (e.g. an array of nodes with indexes for links).");
            }

            try
            {
                inner.Serialize(ref writer, value, options);
            }
            finally
            {
                t_depth--;
            }
        }

        public T Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) => inner.Deserialize(ref reader, options);
    }
}
