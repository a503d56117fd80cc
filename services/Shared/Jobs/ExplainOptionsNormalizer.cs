using SaliencySlider.Contracts.V1;
using SaliencySlider.Engine.Explaining;

namespace SaliencySlider.Shared.Jobs;

/// <summary>What option validation needs to know about the model a job runs on.</summary>
/// <param name="ClassCount">0 when not known without opening the model (the worker checks then).</param>
/// <param name="DefaultLayer">Empty when not known without opening the model (the worker's default applies).</param>
public sealed record ModelLimits(string Name, int ClassCount, string DefaultLayer);

/// <summary>An option outside its range, or an unknown enum value; the message says which and why.</summary>
public sealed class InvalidOptionsException(string message) : Exception(message);

/// <summary>
/// The single place where explanation options are validated and defaults filled in (ranges and defaults from the
/// engine's <see cref="ExplainLimits"/>, enum defaults through <see cref="ContractEnums"/>). The result is
/// what the job id hashes, what the job record stores and what the worker runs with, so two
/// requests that mean the same thing get the same job.
/// </summary>
public static class ExplainOptionsNormalizer
{
    public static ExplainOptions Normalize(ExplainOptions? requested, ModelLimits model)
    {
        requested ??= new ExplainOptions();
        var normalised = new ExplainOptions
        {
            Method = Known(requested.Method, ContractEnums.ToEngine, ContractEnums.ToContract, "method"),
            FrameCount = InRange(requested.FrameCount, ExplainLimits.DefaultFrameCount, ExplainLimits.MinFrameCount, ExplainLimits.MaxFrameCount, "frame_count"),
            Baseline = Known(requested.Baseline, ContractEnums.ToEngine, ContractEnums.ToContract, "baseline"),
            MaxFrameSide = InRange(requested.MaxFrameSide, ExplainLimits.DefaultMaxFrameSide, ExplainLimits.MinFrameSide, ExplainLimits.MaxFrameSide, "max_frame_side"),
            FrameFormat = Known(requested.FrameFormat, ContractEnums.ToEngine, ContractEnums.ToContract, "frame_format"),
            TopK = InRange(requested.TopK, ExplainLimits.DefaultTopK, ExplainLimits.MinTopK, ExplainLimits.MaxTopK, "top_k"),
            DeletionCurve = requested.DeletionCurve,
            TargetLayer = LayerOrDefault(requested.TargetLayer, model),
        };
        if (requested.CompareMethods)
        {
            // A comparison runs every method with both curves and renders no frames.
            normalised.CompareMethods = true;
            normalised.Method = ContractEnums.ToContract(ExplainLimits.DefaultMethod);
            normalised.FrameFormat = ContractEnums.ToContract(ExplainLimits.DefaultFormat);
            normalised.DeletionCurve = true;
        }

        if (requested.ScoreCamChannels is < 0 or > ExplainLimits.MaxScoreCamChannels)
        {
            throw new InvalidOptionsException(
                $"score_cam_channels {requested.ScoreCamChannels} is out of range: use 1..{ExplainLimits.MaxScoreCamChannels} channels "
                + "(at least the layer's channel count scores them all), or 0 for the server's default");
        }

        // Only Score-CAM (alone or in a comparison) reads it: other methods' jobs stay the same job with or without it.
        if (normalised.Method == CamMethod.ScoreCam || normalised.CompareMethods)
        {
            normalised.ScoreCamChannels = requested.ScoreCamChannels;
        }

        if (requested.HasTargetClass)
        {
            if (requested.TargetClass < 0)
            {
                throw new InvalidOptionsException($"target_class {requested.TargetClass} is negative; classes are numbered from 0");
            }

            if (model.ClassCount > 0 && requested.TargetClass >= model.ClassCount)
            {
                throw new InvalidOptionsException(
                    $"target_class {requested.TargetClass} is out of range: model '{model.Name}' has classes 0..{model.ClassCount - 1}");
            }

            normalised.TargetClass = requested.TargetClass;
        }

        return normalised;
    }

    private static int InRange(int value, int defaultValue, int min, int max, string name)
    {
        if (value == 0)
        {
            return defaultValue;
        }

        if (value < min || value > max)
        {
            throw new InvalidOptionsException($"{name} {value} is out of range: use {min}..{max}, or 0 for the default ({defaultValue})");
        }

        return value;
    }

    /// <summary>A known value as itself, UNSPECIFIED as the engine's default (both through the one mapping).</summary>
    private static T Known<T, TKind>(T value, Func<T, TKind> toEngine, Func<TKind, T> toContract, string name)
        where T : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            var known = string.Join(", ", Enum.GetNames<T>().Skip(1));
            throw new InvalidOptionsException($"{name} {value} is not a known value; use one of {known}");
        }

        return toContract(toEngine(value));
    }

    private static string LayerOrDefault(string layer, ModelLimits model)
    {
        if (string.IsNullOrEmpty(layer))
        {
            return model.DefaultLayer;
        }

        if (layer.Length > ExplainLimits.MaxLayerNameLength || !layer.All(c => c is > ' ' and <= '~'))
        {
            throw new InvalidOptionsException(
                $"target_layer must be a tensor name of at most {ExplainLimits.MaxLayerNameLength} printable ASCII characters without spaces");
        }

        return layer;
    }
}
