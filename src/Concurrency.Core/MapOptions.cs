using System.Diagnostics;

namespace Concurrency;

/// <summary>Options for one <c>MapAsync</c> call.</summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>Option</term><description>Default</description></listheader>
/// <item><term><see cref="Ordered"/></term><description><see langword="true"/>: results in input order.</description></item>
/// <item><term><see cref="BatchSize"/></term><description>Automatic: grows until a batch takes long enough to hide the executor's per-dispatch cost.</description></item>
/// <item><term><see cref="MaxInFlight"/></term><description>Automatic: a few batches per worker.</description></item>
/// </list>
/// </remarks>
[DebuggerDisplay("Ordered = {Ordered}, BatchSize = {BatchSize}, MaxInFlight = {MaxInFlight}")]
public sealed class MapOptions
{
    private readonly int? _batchSize;
    private readonly int? _maxInFlight;

    /// <summary>Gets a value indicating whether results are yielded in input order.</summary>
    /// <value>The default value is <see langword="true"/>. When <see langword="false"/>, results are yielded as they complete.</value>
    public bool Ordered { get; init; } = true;

    /// <summary>Gets the number of inputs sent to a worker at once.</summary>
    /// <value>
    /// The default value is <see langword="null"/>: the executor measures item durations and grows
    /// batches until the dispatch cost is small against the work. Set 1 to dispatch every item on its own.
    /// </value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int? BatchSize
    {
        get => _batchSize;
        init
        {
            if (value is { } v)
            {
                ArgumentOutOfRangeException.ThrowIfNegativeOrZero(v, nameof(BatchSize));
            }

            _batchSize = value;
        }
    }

    /// <summary>Gets the bound on the inputs pulled from the source ahead of the consumer.</summary>
    /// <value>
    /// The default value is <see langword="null"/>: a few batches per worker. An input is in flight from the moment
    /// it is pulled from the source until the consumer asks for the result after its own, so the consumer's
    /// current result counts: at most <c>MaxInFlight</c> inputs are pulled that the consumer has not finished with.
    /// </value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int? MaxInFlight
    {
        get => _maxInFlight;
        init
        {
            if (value is { } v)
            {
                ArgumentOutOfRangeException.ThrowIfNegativeOrZero(v, nameof(MaxInFlight));
            }

            _maxInFlight = value;
        }
    }

    internal static MapOptions Default { get; } = new();
}
