namespace Concurrency.Core.Tests.SharedState;

public sealed class AtomicReferenceTests
{
    [Fact]
    public void Value_SetThenGet_ReturnsSameReference()
    {
        var first = new object();
        var second = new object();
        var reference = new AtomicReference<object>(first);
        Assert.Same(first, reference.Value);

        reference.Value = second;

        Assert.Same(second, reference.Value);
    }

    [Fact]
    public void Value_Null_IsAllowedForNullableT()
    {
        var reference = new AtomicReference<string?>(null);

        Assert.Null(reference.Value);
        Assert.Null(reference.Exchange("x"));
        Assert.Equal("x", reference.Value);
    }

    [Fact]
    public void Exchange_Always_ReturnsPrevious()
    {
        var reference = new AtomicReference<string>("a");

        Assert.Equal("a", reference.Exchange("b"));
        Assert.Equal("b", reference.Value);
    }

    [Fact]
    public void CompareAndSet_SameReference_SetsAndReturnsTrue()
    {
        var current = new object();
        var next = new object();
        var reference = new AtomicReference<object>(current);

        Assert.True(reference.CompareAndSet(current, next));
        Assert.Same(next, reference.Value);
    }

    [Fact]
    public void CompareAndSet_EqualButNotSameReference_LeavesValueAndReturnsFalse()
    {
        var current = new string('x', 3);
        var equalCopy = new string('x', 3);
        var reference = new AtomicReference<string>(current);

        Assert.False(reference.CompareAndSet(equalCopy, "y"));
        Assert.Same(current, reference.Value);
    }

    [Fact]
    public void Update_NoContention_RunsCallbackOnceAndReturnsStoredValue()
    {
        var reference = new AtomicReference<string>("a");
        var calls = 0;

        var stored = reference.Update(s =>
        {
            calls++;
            return s + "b";
        });

        Assert.Equal("ab", stored);
        Assert.Same(stored, reference.Value);
        Assert.Equal(1, calls);
    }

    [Fact]
    public void Update_ValueReplacedDuringCallback_RetriesWithTheNewValue()
    {
        var reference = new AtomicReference<string>("a");
        var seen = new List<string>();

        var stored = reference.Update(s =>
        {
            seen.Add(s);
            if (seen.Count == 1)
            {
                reference.Value = "z"; // Another writer gets in between.
            }

            return s + "!";
        });

        Assert.Equal(["a", "z"], seen);
        Assert.Equal("z!", stored);
        Assert.Equal("z!", reference.Value);
    }

    [Fact]
    public void Update_WithState_PassesState()
    {
        var reference = new AtomicReference<string>("a");

        Assert.Equal("a1", reference.Update(1, static (s, n) => s + n));
    }

    [Fact]
    public void Update_NullCallback_ThrowsArgumentNullException()
    {
        var reference = new AtomicReference<string>("a");

        Assert.Equal("update", Assert.Throws<ArgumentNullException>(() => reference.Update(null!)).ParamName);
        Assert.Equal("update", Assert.Throws<ArgumentNullException>(() => reference.Update(1, (Func<string, int, string>)null!)).ParamName);
    }
}
