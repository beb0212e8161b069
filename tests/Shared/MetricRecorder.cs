using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Concurrency.Testing;

/// <summary>
/// Records the measurements of the library's "Concurrency" meter that carry one executor name (give each
/// test's executor a unique name). Dependency-free: this file is compiled into every test project.
/// </summary>
internal sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly string _executorName;

    public MetricRecorder(string executorName)
    {
        _executorName = executorName;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Concurrency")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    public ConcurrentQueue<Measurement> Measurements { get; } = new();

    public IEnumerable<Measurement> Of(string instrument) => Measurements.Where(m => m.Instrument == instrument);

    public double Sum(string instrument) => Of(instrument).Sum(m => m.Value);

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = tags.ToArray().ToDictionary(t => t.Key, t => t.Value);
        if (copy.TryGetValue("concurrency.executor.name", out var name) && (string?)name == _executorName)
        {
            Measurements.Enqueue(new Measurement(instrument.Name, value, copy));
        }
    }

    public sealed record Measurement(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags);
}
