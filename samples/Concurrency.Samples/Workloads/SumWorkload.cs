namespace Concurrency.Samples.Workloads;

/// <summary>
/// The article's first CPU workload: <c>count += i</c> for i in 0..<see cref="Count"/>. Every item does the
/// whole loop; its input is only the item's index, so four items are four equal, independent pieces of work.
/// </summary>
public sealed class SumWorkload : IWorkload<int, long>
{
    /// <summary>The number of items the article runs.</summary>
    public const int DefaultItems = 4;

    /// <summary>Gets or sets how far each item counts (exclusive).</summary>
    /// <value>The default value is 20,000,000, as in the article.</value>
    public int Count { get; set; } = 20_000_000;

    /// <summary>Gets the result every item returns: the sum of 0..<see cref="Count"/> - 1.</summary>
    public long ExpectedResult => (long)Count * (Count - 1) / 2;

    /// <inheritdoc/>
    public long Execute(int input, WorkContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        long count = 0;
        for (var i = 0; i < Count; i++)
        {
            count += i;
        }

        return count;
    }
}
