using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Concurrency.Testing.Internal;

/// <summary>
/// Finds the first place where two object graphs differ, by value: the same runtime types, equal primitives, equal
/// sequences and dictionaries element by element, and equal fields (public or not) of every other object.
/// </summary>
/// <remarks>
/// Types of the framework that define their own equality (<see cref="DateTime"/>, <see cref="Guid"/>, ...) are compared
/// with it, except tuples, whose equality would compare their arrays by reference; the application's own types are compared member by member, because a record's equality compares its arrays
/// by reference and a class's often is reference equality. Fields are compared rather than properties so that private
/// state, which a serializer drops, is seen; a property's backing field is reported under the property's name.
/// </remarks>
internal static class StructuralDiff
{
    /// <summary>Graphs deeper than this are reported, not followed: a result this deep cannot reach a worker and back either.</summary>
    internal const int MaxDepth = 200;

    /// <summary>Describes where <paramref name="expected"/> and <paramref name="actual"/> first differ, or returns <see langword="null"/>.</summary>
    public static Difference? Find(object? expected, object? actual) =>
        Compare(expected, actual, string.Empty, 0, new HashSet<(object, object)>(PairComparer.Instance));

    private static Difference? Compare(object? expected, object? actual, string path, int depth, HashSet<(object, object)> visited)
    {
        if (expected is null || actual is null)
        {
            return expected is null && actual is null ? null : new Difference(path, Describe(expected), Describe(actual));
        }

        var type = expected.GetType();
        if (type != actual.GetType())
        {
            return new Difference(path, $"a {Name(type)}", $"a {Name(actual.GetType())}");
        }

        if (IsValueLike(type))
        {
            return expected.Equals(actual) ? null : new Difference(path, Describe(expected), Describe(actual));
        }

        if (ReferenceEquals(expected, actual) || !visited.Add((expected, actual)))
        {
            return null;
        }

        if (depth >= MaxDepth)
        {
            return new Difference(path, $"a graph deeper than {MaxDepth}", "(not compared)");
        }

        return expected switch
        {
            IDictionary dictionary => CompareDictionaries(dictionary, (IDictionary)actual, path, depth, visited),
            IEnumerable sequence => CompareSequences(sequence, (IEnumerable)actual, path, depth, visited),
            _ => CompareFields(type, expected, actual, path, depth, visited),
        };
    }

    private static Difference? CompareDictionaries(IDictionary expected, IDictionary actual, string path, int depth, HashSet<(object, object)> visited)
    {
        if (expected.Count != actual.Count)
        {
            return new Difference(path + ".Count", expected.Count.ToString(CultureInfo.InvariantCulture), actual.Count.ToString(CultureInfo.InvariantCulture));
        }

        foreach (DictionaryEntry entry in expected)
        {
            var at = $"{path}[{Describe(entry.Key)}]";
            if (!actual.Contains(entry.Key))
            {
                return new Difference(at, Describe(entry.Value), "no such key");
            }

            if (Compare(entry.Value, actual[entry.Key], at, depth + 1, visited) is { } difference)
            {
                return difference;
            }
        }

        return null;
    }

    private static Difference? CompareSequences(IEnumerable expected, IEnumerable actual, string path, int depth, HashSet<(object, object)> visited)
    {
        var left = expected.Cast<object?>().ToList();
        var right = actual.Cast<object?>().ToList();
        for (var i = 0; i < Math.Min(left.Count, right.Count); i++)
        {
            if (Compare(left[i], right[i], $"{path}[{i}]", depth + 1, visited) is { } difference)
            {
                return difference;
            }
        }

        return left.Count == right.Count
            ? null
            : new Difference(path + ".Count", left.Count.ToString(CultureInfo.InvariantCulture), right.Count.ToString(CultureInfo.InvariantCulture));
    }

    private static Difference? CompareFields(Type type, object expected, object actual, string path, int depth, HashSet<(object, object)> visited)
    {
        for (var current = type; current is not null && current != typeof(object); current = current.BaseType)
        {
            foreach (var field in current.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (Compare(field.GetValue(expected), field.GetValue(actual), $"{path}.{MemberName(field)}", depth + 1, visited) is { } difference)
                {
                    return difference;
                }
            }
        }

        return null;
    }

    /// <summary>Primitives, strings, enums, and the framework's own types with value equality: compared with Equals.</summary>
    private static bool IsValueLike(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) ||
        (IsFrameworkType(type) && !typeof(IEnumerable).IsAssignableFrom(type) && !typeof(ITuple).IsAssignableFrom(type) && ImplementsEquatableOfItself(type));

    private static bool IsFrameworkType(Type type) => type.Assembly == typeof(object).Assembly;

    private static bool ImplementsEquatableOfItself(Type type) => typeof(IEquatable<>).MakeGenericType(type).IsAssignableFrom(type);

    /// <summary>The name a reader knows: a property's, for its compiler-generated backing field.</summary>
    private static string MemberName(FieldInfo field) =>
        field.Name.StartsWith('<') && field.Name.IndexOf(">k__BackingField", StringComparison.Ordinal) is > 0 and var end
            ? field.Name[1..end]
            : field.Name;

    /// <summary>A value as a message shows it: text quoted, numbers with their type, other objects by their type.</summary>
    public static string Describe(object? value) => value switch
    {
        null => "null",
        string s => $"\"{s}\"",
        IFormattable f => $"{f.ToString(null, CultureInfo.InvariantCulture)} ({Name(value.GetType())})",
        _ => IsValueLike(value.GetType()) ? $"{value} ({Name(value.GetType())})" : $"a {Name(value.GetType())}",
    };

    private static string Name(Type type) => type.FullName ?? type.Name;

    /// <summary>Where two graphs differ: the member path, and each side's value as text.</summary>
    internal sealed record Difference(string Path, string Expected, string Actual);

    /// <summary>Pairs compared by reference, so that a cycle is followed once.</summary>
    private sealed class PairComparer : IEqualityComparer<(object, object)>
    {
        public static readonly PairComparer Instance = new();

        public bool Equals((object, object) x, (object, object) y) => ReferenceEquals(x.Item1, y.Item1) && ReferenceEquals(x.Item2, y.Item2);

        public int GetHashCode((object, object) obj) => HashCode.Combine(RuntimeHelpers.GetHashCode(obj.Item1), RuntimeHelpers.GetHashCode(obj.Item2));
    }
}
