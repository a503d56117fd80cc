using System.Diagnostics;
using System.Runtime.CompilerServices;
using SaliencySlider.Engine.Cam;
using SaliencySlider.Engine.Inference;
using SaliencySlider.Engine.Slider;

namespace SaliencySlider.Engine.Explaining;

/// <summary>
/// Compares CAM methods on one image: decodes it once, runs the classifier with the backward pass once for every
/// gradient method (and once without it for the others; Score-CAM then scores its channels), then for each method its CAM, its insertion and deletion
/// curves and their areas, and its sufficiency point, each method's result given as soon as it exists. The frames are
/// predicted by the explainer's own frame runs, in the same chunks a single-method job with a deletion curve uses,
/// so each method's areas equal that job's.
/// </summary>
public sealed class MethodComparer(Explainer explainer)
{
    public Explainer Explainer { get; } = explainer;

    /// <param name="settings">Frame count, baseline, target class and layer, heatmap size; the method is ignored and the deletion curve always computed.</param>
    /// <param name="methods">Methods to compare, in this order; null: every registered method (<see cref="CamMethods.Kinds"/>).</param>
    public async IAsyncEnumerable<ComparisonEvent> CompareAsync(
        ReadOnlyMemory<byte> imageBytes, ExplainSettings settings, IReadOnlyList<CamMethodKind>? methods = null,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        var total = Stopwatch.StartNew();
        var kinds = methods ?? CamMethods.Kinds;
        if (kinds.Count == 0 || kinds.Distinct().Count() != kinds.Count)
        {
            throw new InvalidSettingsException("compare at least one CAM method, each once");
        }
        var curveSettings = CurveSettings(settings);
        var prepared = await Task.Run(() => Explainer.Prepare(imageBytes, curveSettings with { Method = kinds[0] }), ct);

        // Keyed by "needs gradients": the gradient methods share one run, the others one run without the backward pass.
        var runs = new Dictionary<bool, GradientBatch>();
        double gradientMs = 0, camMs = 0, framesMs = 0, heatmapMs = 0;
        for (var position = 0; position < kinds.Count; position++)
        {
            var clock = Stopwatch.StartNew();
            var image = prepared with { Settings = curveSettings with { Method = kinds[position] } };
            var needsGradients = CamMethods.NeedsGradients(kinds[position]);
            if (!runs.TryGetValue(needsGradients, out var batch))
            {
                var gradientClock = Stopwatch.StartNew();
                batch = await Task.Run(() => Explainer.ComputeGradients([image]), ct);
                runs[needsGradients] = batch;
                gradientMs += gradientClock.Elapsed.TotalMilliseconds;
            }
            // Score-CAM scores its channels with forward passes of masked inputs, as its own job does.
            var scores = CamMethods.NeedsForwardPasses(kinds[position])
                ? await Task.Run(() => Explainer.ScoreChannels(Explainer.PlanScoring(image, batch, 0)), ct)
                : null;
            var explanation = await Task.Run(() => Explainer.Explain(image, batch, 0, scores), ct);
            camMs += explanation.CamMs;
            heatmapMs += explanation.HeatmapMs;
            if (position == 0)
            {
                yield return new ComparisonStarted(
                    explanation.Prediction, explanation.Layer, [.. kinds.Select(CamMethods.NameOf)], curveSettings.FrameCount);
            }

            var framesClock = Stopwatch.StartNew();
            var curves = await Task.Run(() => PredictCurves(explanation, ct), ct);
            framesMs += framesClock.Elapsed.TotalMilliseconds;
            var fullImageTop = PredictionBuilder.ArgMax(explanation.FullImageLogits);
            yield return new MethodCompared(
                position,
                explanation.Method,
                explanation.HeatmapPng,
                explanation.Image.Display.Width,
                explanation.Image.Display.Height,
                curves.Insertion,
                curves.Deletion,
                CurveArea.Trapezoid(curves.Insertion),
                CurveArea.Trapezoid(curves.Deletion),
                SufficiencyPoint.Of(curves.InsertionTop, fullImageTop),
                clock.Elapsed.TotalMilliseconds);
        }

        yield return new ComparisonCompleted(new StageTimings
        {
            DecodeMs = prepared.PrepareMs,
            GradientMs = gradientMs,
            CamMs = camMs,
            FramesInferenceMs = framesMs,
            RenderMs = heatmapMs,
            TotalMs = total.Elapsed.TotalMilliseconds,
        });
    }

    /// <summary>The settings every compared method runs with: the caller's, with the deletion curve on.</summary>
    public static ExplainSettings CurveSettings(ExplainSettings settings) => settings with { DeletionCurve = true };

    /// <summary>Both curves' points (the target class's probability per frame) and each insertion frame's top-1, in slider order.</summary>
    private Curves PredictCurves(CamExplanation explanation, CancellationToken ct)
    {
        var settings = explanation.Image.Settings;
        var target = explanation.Prediction.TargetClass;
        var curves = new Curves(new float[settings.FrameCount], new float[settings.FrameCount], new int[settings.FrameCount]);
        foreach (var chunk in Explainer.PlanFrameChunks(settings))
        {
            ct.ThrowIfCancellationRequested();
            var logits = Explainer.PredictFrames(explanation, chunk);
            for (var position = 0; position < chunk.Length; position++)
            {
                var index = chunk[position];
                curves.Insertion[index] = PredictionBuilder.ProbabilityOf(logits.Insertion(position), target);
                curves.Deletion[index] = PredictionBuilder.ProbabilityOf(logits.Deletion(position), target);
                curves.InsertionTop[index] = PredictionBuilder.ArgMax(logits.Insertion(position));
            }
        }
        return curves;
    }

    private sealed record Curves(float[] Insertion, float[] Deletion, int[] InsertionTop);
}
