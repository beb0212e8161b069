using Concurrency.Testing.Internal;

namespace Concurrency.Testing.Tests.Internal;

public sealed class StructuralDiffTests
{
    [Fact]
    public void Find_RecordsWithEqualArraysAndDictionaries_AreEqual()
    {
        var left = new Invoice(1, 3, [1, 2], new() { ["a"] = 1 });
        var right = new Invoice(1, 3, [1, 2], new() { ["a"] = 1 });

        Assert.NotEqual(left, right); // the record's own equality compares the arrays by reference
        Assert.Null(StructuralDiff.Find(left, right));
    }

    [Fact]
    public void Find_ElementThatDiffers_NamesItsPath()
    {
        var left = new Invoice(1, 3, [1, 2], new() { ["a"] = 1, ["b"] = 2 });

        Assert.Equal(new StructuralDiff.Difference(".Lines[1]", "2 (System.Double)", "2.5 (System.Double)"), StructuralDiff.Find(left, left with { Lines = [1, 2.5] }));
        Assert.Equal(new StructuralDiff.Difference(".ByItem[\"b\"]", "2 (System.Double)", "3 (System.Double)"), StructuralDiff.Find(left, left with { ByItem = new() { ["a"] = 1, ["b"] = 3 } }));
        Assert.Equal(new StructuralDiff.Difference(".ByItem.Count", "2", "1"), StructuralDiff.Find(left, left with { ByItem = new() { ["a"] = 1 } }));
        Assert.Equal(new StructuralDiff.Difference(".Lines.Count", "2", "3"), StructuralDiff.Find(left, left with { Lines = [1, 2, 3] }));
    }

    [Fact]
    public void Find_PrivateField_IsCompared()
    {
        var left = new ScaleWorkload().WithFactor(3);
        var right = new ScaleWorkload();

        Assert.Equal(new StructuralDiff.Difference("._factor", "3 (System.Int32)", "2 (System.Int32)"), StructuralDiff.Find(left, right));
    }

    [Fact]
    public void Find_DifferentRuntimeTypes_NamesBoth()
    {
        var difference = StructuralDiff.Find(new Drawing { Shape = new Circle() }, new Drawing { Shape = new Dictionary<object, object>() });

        Assert.Equal(".Shape", difference?.Path);
        Assert.Equal($"a {typeof(Circle).FullName}", difference?.Expected);
        Assert.Equal($"a {typeof(Dictionary<object, object>).FullName}", difference?.Actual);
    }

    [Fact]
    public void Find_TuplesWithArrays_AreComparedByValue()
    {
        Assert.Null(StructuralDiff.Find((1, new[] { 1.0 }), (1, new[] { 1.0 })));
        Assert.Equal(".Item2[0]", StructuralDiff.Find((1, new[] { 1.0 }), (1, new[] { 2.0 }))?.Path);
    }

    [Fact]
    public void Find_Cycles_Terminate()
    {
        var left = new Node { Value = 1 };
        left.Next = left;
        var right = new Node { Value = 1 };
        right.Next = right;

        Assert.Null(StructuralDiff.Find(left, right));
        right.Value = 2;
        Assert.Equal(".Value", StructuralDiff.Find(left, right)?.Path);
    }

    [Fact]
    public void Find_NullAgainstValue_Differs()
    {
        Assert.Equal(new StructuralDiff.Difference(".Shape", "null", $"a {typeof(Circle).FullName}"), StructuralDiff.Find(new Drawing(), new Drawing { Shape = new Circle() }));
    }

    private sealed class Node
    {
        public int Value { get; set; }

        public Node? Next { get; set; }
    }
}
