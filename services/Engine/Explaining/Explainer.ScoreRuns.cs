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
            scoring.Record(run.First, ScoreChannels(run));
        }
        return scoring.Scores;
    }

    /// <summary>One run of a channel scoring's masked inputs through the classifier; each input's target logit.</summary>
    public float[] ScoreChannels(ScoreRun run)
    {
        var plane = 3 * Model.InputWidth * Model.InputHeight;
        var input = ArrayPool<float>.Shared.Rent(run.Count * plane);
        float[] logits;
        try
        {
            run.Scoring.WriteInputs(run.First, run.Count, input.AsSpan(0, run.Count * plane));
            logits = RunForward(input.AsSpan(0, run.Count * plane), run.Count);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(input);
        }

        var classCount = Model.ClassCount;
        var target = run.Scoring.TargetClass;
        var scores = new float[run.Count];
        for (var j = 0; j < run.Count; j++)
        {
            scores[j] = logits[(j * classCount) + target];
        }
        return scores;
    }
}
