using System.Diagnostics;
using System.Globalization;

namespace SaliencySlider.Engine.Inference;

/// <summary>How long each step of loading a model (or building one of its sessions) took, in the order the steps ran: for start-up logs.</summary>
public sealed class LoadSteps
{
    private readonly List<(string Stage, double Ms)> _stages = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly TimeSpan _before;
    private TimeSpan _lapStart;

    public LoadSteps()
    {
    }

    /// <summary>Steps that began <paramref name="before"/> earlier than now, that time recorded as <paramref name="firstStage"/>.</summary>
    public LoadSteps(string firstStage, TimeSpan before)
    {
        _before = before;
        _stages.Add((firstStage, before.TotalMilliseconds));
    }

    public IReadOnlyList<(string Stage, double Ms)> Stages => _stages;

    public double TotalMs => (_before + _clock.Elapsed).TotalMilliseconds;

    /// <summary>Records the time since the previous lap (or since creation) as <paramref name="stage"/>.</summary>
    public void Lap(string stage)
    {
        var now = _clock.Elapsed;
        _stages.Add((stage, (now - _lapStart).TotalMilliseconds));
        _lapStart = now;
    }

    /// <summary>Runs <paramref name="step"/> and records it, with any time since the previous lap, as <paramref name="stage"/>.</summary>
    public T Time<T>(string stage, Func<T> step)
    {
        var result = step();
        Lap(stage);
        return result;
    }

    /// <summary>"stage 12 ms, other stage 340 ms".</summary>
    public override string ToString()
        => string.Join(", ", _stages.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Stage} {s.Ms:0} ms")));
}
