using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Concurrency.Testing;

/// <summary>Options of <see cref="WorkloadVerifier"/>: which kinds it compares, and how each executor is configured.</summary>
/// <remarks>
/// <list type="table">
/// <item><term><see cref="Kinds"/></term><description>Empty: every kind the application references, the in-process <c>Threads</c> kind first.</description></item>
/// <item><term><see cref="MaxConcurrency"/></term><description>2: enough to show state shared between items.</description></item>
/// <item><term><see cref="Configuration"/></term><description>None: each kind's defaults.</description></item>
/// <item><term><see cref="ConfigureServices"/></term><description>None.</description></item>
/// </list>
/// </remarks>
public sealed class WorkloadVerifierOptions
{
    private int _maxConcurrency = 2;

    /// <summary>Gets the executor kinds to run the workload on, in order; the first is the baseline the others are compared with.</summary>
    /// <value>
    /// The default value is empty: every kind whose package the application references
    /// (<see cref="WorkExecutorServiceCollectionExtensions.AvailableKinds"/>), with <c>Threads</c> first when referenced.
    /// A kind that needs more than its package to run (<c>Orleans</c> needs a cluster client) must be given what it
    /// needs through <see cref="ConfigureServices"/>, or left out by naming the kinds here.
    /// </value>
    public IList<string> Kinds { get; } = [];

    /// <summary>Gets or sets the number of items each executor runs at once.</summary>
    /// <value>The default value is 2: enough for state that one item leaves for another (a static counter) to show.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int MaxConcurrency
    {
        get => _maxConcurrency;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _maxConcurrency = value;
        }
    }

    /// <summary>Gets or sets the executor section every kind is built from, such as the application's <c>Executor</c> section.</summary>
    /// <value>
    /// The default value is <see langword="null"/>: each kind's defaults. Its <c>Kind</c> and <c>MaxConcurrency</c> values are
    /// replaced by the kind being verified and by <see cref="MaxConcurrency"/>.
    /// </value>
    public IConfiguration? Configuration { get; set; }

    /// <summary>Gets or sets a callback that adds services each executor's container needs (logging, a cluster client).</summary>
    /// <value>The default value is <see langword="null"/>. It is called once per kind, with the kind's name.</value>
    public Action<string, IServiceCollection>? ConfigureServices { get; set; }
}
