using System.Globalization;
using System.Text;
using SaliencySlider.Engine.Cam;
using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Inference;
using SaliencySlider.Engine.Models;

namespace SaliencySlider.EngineBench;

/// <summary>
/// Whole jobs on the default model with Grad-CAM, with Score-CAM under several channel caps, and a comparison of every
/// method (<see cref="MethodComparer"/>), in one process and interleaved round by round (so that other load on a shared
/// machine falls on all of them alike): each one's cost as a ratio to the Grad-CAM job of the same run.
/// </summary>
internal static class ScoreCamBench
{
    /// <summary>Caps timed; null scores every channel (timed once: on CPU it is the slow case the cap exists for).</summary>
    private static readonly int?[] Caps = [16, 32, ExplainLimits.CpuScoreCamChannels, 128, 256, null];

    public static string Run(ModelEntry entry, BenchOptions options, byte[] imageBytes)
    {
        using var model = ExplainerModel.Load(entry, new ClassifierModelOptions { Provider = ExecutionProviderPreference.Cpu, IntraOpThreads = options.Threads });
        var explainer = new Explainer(model);
        explainer.WarmUp();
        var gradCam = new ExplainSettings { FrameCount = options.Frames };
        var scoreCams = Caps.Select(cap => gradCam with { Method = CamMethodKind.ScoreCam, ScoreCamChannels = cap ?? ExplainLimits.MaxScoreCamChannels }).ToArray();
        var rounds = Math.Max(3, options.Repeats / 3);

        var comparer = new MethodComparer(explainer);
        var comparisons = new List<double>();
        var gradCamJobs = new List<(double Total, StageTimings Stages)>();
        var scoreCamJobs = scoreCams.Select(_ => new List<(double Total, StageTimings Stages)>()).ToArray();
        for (var round = -1; round < rounds; round++)
        {
            var gradCamJob = TimedJob.Run(explainer, imageBytes, gradCam);
            if (round >= 0)
            {
                gradCamJobs.Add((gradCamJob.TotalMs, gradCamJob.Stages));
            }
            for (var i = 0; i < scoreCams.Length; i++)
            {
                if (Caps[i] is null && round != 0)
                {
                    continue; // every channel: one timed run, no warm-up
                }
                var job = TimedJob.Run(explainer, imageBytes, scoreCams[i]);
                if (round >= 0)
                {
                    scoreCamJobs[i].Add((job.TotalMs, job.Stages));
                }
            }
            var clock = System.Diagnostics.Stopwatch.StartNew();
            foreach (var _ in comparer.CompareAsync(imageBytes, gradCam).ToBlockingEnumerable())
            {
            }
            if (round >= 0)
            {
                comparisons.Add(clock.Elapsed.TotalMilliseconds);
            }
            Console.WriteLine(Invariant($"score-cam round {round + 1}/{rounds} done"));
        }

        var channels = model.GridOf(model.DefaultTargetLayer).Channels;
        var gradCamMs = Samples.MedianOf(gradCamJobs.Select(j => j.Total));
        var s = new StringBuilder();
        s.AppendLine(MachineInfo.GeneratedBy(options.Command, options.Repository));
        s.AppendLine();
        s.AppendLine(Invariant($"Machine: {MachineInfo.Describe()}; load average before the run: {MachineInfo.LoadAverage()}."));
        s.AppendLine(Invariant($"Model `{entry.Name}` (layer of {channels} channels), CPU provider, {options.Threads} intra-op threads, F = {options.Frames} frames, image `{Path.GetFileName(options.Image)}`, whole jobs (`Explainer.ExplainAsync`), medians of {rounds} interleaved rounds after one warm-up round (every channel: one run)."));
        s.AppendLine();
        s.AppendLine("| method | channels scored | whole job ms | job ÷ Grad-CAM job | CAM stage ms (Score-CAM: with its forward passes) | CAM stage ms per channel |");
        s.AppendLine("|---|---:|---:|---:|---:|---:|");
        s.AppendLine(Invariant($"| Grad-CAM | – | {gradCamMs:F0} | 1.00 | {Samples.MedianOf(gradCamJobs.Select(j => j.Stages.CamMs)):F1} | – |"));
        for (var i = 0; i < Caps.Length; i++)
        {
            var scored = Math.Min(Caps[i] ?? channels, channels);
            var jobMs = Samples.MedianOf(scoreCamJobs[i].Select(j => j.Total));
            var camMs = Samples.MedianOf(scoreCamJobs[i].Select(j => j.Stages.CamMs));
            var label = Caps[i] == ExplainLimits.CpuScoreCamChannels ? $"{scored} (CPU default)" : Caps[i] is null ? $"{scored} (all)" : $"{scored}";
            s.AppendLine(Invariant($"| Score-CAM | {label} | {jobMs:F0} | {jobMs / gradCamMs:F2} | {camMs:F0} | {camMs / scored:F1} |"));
        }
        var comparisonMs = Samples.MedianOf(comparisons);
        s.AppendLine(Invariant($"| comparison of all {CamMethods.Kinds.Count} methods (each with insertion and deletion curves; Score-CAM at the CPU default) | – | {comparisonMs:F0} | {comparisonMs / gradCamMs:F2} | – | – |"));
        s.AppendLine();
        s.AppendLine("```");
        s.AppendLine(Invariant($"gradcam job: {Join(gradCamJobs.Select(j => j.Total))}"));
        s.AppendLine(Invariant($"comparison: {Join(comparisons)}"));
        for (var i = 0; i < Caps.Length; i++)
        {
            s.AppendLine(Invariant($"scorecam {(Caps[i] is { } cap ? cap.ToString(CultureInfo.InvariantCulture) : "all")} job: {Join(scoreCamJobs[i].Select(j => j.Total))}"));
        }
        s.AppendLine("```");
        return s.ToString();
    }

    private static string Join(IEnumerable<double> values) => string.Join(" ", values.Select(v => v.ToString("F0", CultureInfo.InvariantCulture)));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
