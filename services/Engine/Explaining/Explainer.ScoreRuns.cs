using System.Buffers;
using SaliencySlider.Engine.Cam;
using SaliencySlider.Engine.Inference;

namespace SaliencySlider.Engine.Explaining;

/// <summary>Score-CAM's forward passes (timed with the CAM stage, <see cref="StageTimings.CamMs"/>): its channels' masked inputs run through the classifier.</summary>
public sealed partial class Explainer
{
    /// <summary>
    /// Score-CAM's channels for row <paramref name="row"/> of a (forward-only) gradient run: the settings' cap, or
    /// <see cref="ScoreCam.DefaultChannelCap"/> for this model's execution provider.
    /// </summary>
    public ChannelScoring PlanScoring(PreparedImage image, GradientBatch gradients, int row)
    {
        var maps = ActivationMaps.FromBatchRow(gradients, row, Model.GridOf(image.TargetLayer));
        var cap = image.Settings.ScoreCamChannels ?? ScoreCam.DefaultChannelCap(Model.Classifier.ExecutionProvider);
        return new ChannelScoring(image, maps, gradients.TargetClasses[row], Model.InputHeight, Model.InputWidth, cap);
    }

    /// <summary>Scores every channel of <paramref name="scoring"/> in runs of <see cref="ExplainerOptions.MaxImagesPerRun"/>; returns <see cref="ChannelScoring.Scores"/>.</summary>
    public float[] ScoreChannels(ChannelScoring scoring)
    {
        foreach (var run in scoring.Runs(_options.MaxImagesPerRun))
        {
            scoring.Record(run.First, ScoreChannels([run])[0]);
        }
        return scoring.Scores;
    }

    /// <summary>The masked inputs of several jobs (or chunks) in one classifier run, as frames are run; each request's target logits.</summary>
    public IReadOnlyList<float[]> ScoreChannels(IReadOnlyList<ScoreRun> runs)
    {
        var plane = 3 * Model.InputWidth * Model.InputHeight;
        var total = runs.Sum(r => r.Count);
        var input = ArrayPool<float>.Shared.Rent(total * plane);
        float[] logits;
        try
        {
            var offset = 0;
            foreach (var run in runs)
            {
                run.Scoring.WriteInputs(run.First, run.Count, input.AsSpan(offset * plane, run.Count * plane));
                offset += run.Count;
            }
            logits = RunForward(input.AsSpan(0, total * plane), total);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(input);
        }

        var classCount = Model.ClassCount;
        var results = new float[runs.Count][];
        var row = 0;
        for (var i = 0; i < runs.Count; i++)
        {
            var target = runs[i].Scoring.TargetClass;
            results[i] = new float[runs[i].Count];
            for (var j = 0; j < runs[i].Count; j++, row++)
            {
                results[i][j] = logits[(row * classCount) + target];
            }
        }
        return results;
    }
}
