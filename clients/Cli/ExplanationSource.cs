using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Models;

namespace SaliencySlider.Cli;

/// <summary>Where an explanation ran; result.json and the summary carry what only that mode knows.</summary>
internal abstract record ExplanationSource;

/// <summary>In-process: the loaded model, how long it took to load, and the settings the frames were rendered with.</summary>
internal sealed record LocalSource(ExplainerModel Model, double ModelLoadMs, ExplainSettings Settings) : ExplanationSource;

/// <summary>A job on a server (`--server`).</summary>
internal sealed record RemoteSource(string Server, string JobId) : ExplanationSource;

/// <summary>The first line of a run's summary (an explanation's or a comparison's): the model it ran on in-process, or its job and server.</summary>
internal static class OriginLine
{
    public static string Local(string model) => $"model     {model}";

    public static string Remote(string jobId, string server) => $"job       {jobId} on {server}";
}
