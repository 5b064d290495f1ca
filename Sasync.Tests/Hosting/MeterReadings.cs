using System.Diagnostics.Metrics;

namespace Sasync.Tests.Hosting;

/// <summary>What one <see cref="MeterListener"/> collection of a meter's observable instruments reported: value and tags per instrument.</summary>
internal sealed class MeterReadings
{
    private readonly List<(string Instrument, long Value, Dictionary<string, object?> Tags)> _all = [];

    private MeterReadings()
    {
    }

    /// <summary>Every instrument of <paramref name="meter"/> (and no other meter, even one of the same name), observed once.</summary>
    public static MeterReadings Collect(Meter meter)
    {
        var readings = new MeterReadings();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter, meter))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => readings.Add(instrument, value, tags));
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => readings.Add(instrument, value, tags));
        listener.Start();
        listener.RecordObservableInstruments();
        return readings;
    }

    public IReadOnlyCollection<string> Instruments => [.. _all.Select(r => r.Instrument).Distinct()];

    /// <summary>The single value of an instrument without tags, or of the measurement whose tag matches.</summary>
    public long Value(string instrument, string? tag = null, string? tagValue = null)
    {
        var matches = _all.Where(r => r.Instrument == instrument && (tag is null || Equals(r.Tags.GetValueOrDefault(tag), tagValue))).ToList();
        Assert.True(matches.Count == 1, $"{instrument}{(tag is null ? "" : $" {{{tag}={tagValue}}}")}: {matches.Count} measurements");
        return matches[0].Value;
    }

    public int Count(string instrument) => _all.Count(r => r.Instrument == instrument);

    private void Add(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, tagValue) in tags)
        {
            copy[key] = tagValue;
        }

        lock (_all)
        {
            _all.Add((instrument.Name, value, copy));
        }
    }
}
