using SaliencySlider.Contracts.V1;

namespace SaliencySlider.Shared.Jobs;

/// <summary>What option validation needs to know about the model a job runs on.</summary>
/// <param name="ClassCount">0 when not known without opening the model (the worker checks then).</param>
/// <param name="DefaultLayer">Empty when not known without opening the model (the worker's default applies).</param>
public sealed record ModelLimits(string Name, int ClassCount, string DefaultLayer);

/// <summary>An option outside its range, or an unknown enum value; the message says which and why.</summary>
public sealed class InvalidOptionsException(string message) : Exception(message);

/// <summary>
/// The single place where explanation options are validated and defaults filled in. The result is
/// what the job id hashes, what the job record stores and what the worker runs with, so two
/// requests that mean the same thing get the same job.
/// </summary>
public static class ExplainOptionsNormalizer
{
    public const int DefaultFrameCount = 21;
    public const int MinFrameCount = 2;
    public const int MaxFrameCount = 101;
    public const int DefaultMaxFrameSide = 512;
    public const int MinFrameSide = 16;
    public const int MaxFrameSide = 2048;
    public const int DefaultTopK = 5;
    public const int MinTopK = 1;
    public const int MaxTopK = 20;
    public const int MaxLayerNameLength = 256;

    /// <summary>Largest score_cam_channels (the engine's ScoreCam.MaxChannelCap; a test keeps the two equal).</summary>
    public const int MaxScoreCamChannels = 8192;

    public static ExplainOptions Normalize(ExplainOptions? requested, ModelLimits model)
    {
        requested ??= new ExplainOptions();
        var normalised = new ExplainOptions
        {
            Method = KnownOrDefault(requested.Method, CamMethod.GradCam, "method"),
            FrameCount = InRange(requested.FrameCount, DefaultFrameCount, MinFrameCount, MaxFrameCount, "frame_count"),
            Baseline = KnownOrDefault(requested.Baseline, Baseline.Blur, "baseline"),
            MaxFrameSide = InRange(requested.MaxFrameSide, DefaultMaxFrameSide, MinFrameSide, MaxFrameSide, "max_frame_side"),
            FrameFormat = KnownOrDefault(requested.FrameFormat, ImageFormat.Jpeg, "frame_format"),
            TopK = InRange(requested.TopK, DefaultTopK, MinTopK, MaxTopK, "top_k"),
            DeletionCurve = requested.DeletionCurve,
            TargetLayer = LayerOrDefault(requested.TargetLayer, model),
        };
        if (requested.CompareMethods)
        {
            // A comparison runs every method with both curves and renders no frames.
            normalised.CompareMethods = true;
            normalised.Method = CamMethod.GradCam;
            normalised.FrameFormat = ImageFormat.Jpeg;
            normalised.DeletionCurve = true;
        }

        if (requested.ScoreCamChannels is < 0 or > MaxScoreCamChannels)
        {
            throw new InvalidOptionsException(
                $"score_cam_channels {requested.ScoreCamChannels} is out of range: use 1..{MaxScoreCamChannels} channels "
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

    private static T KnownOrDefault<T>(T value, T defaultValue, string name)
        where T : struct, Enum
    {
        if (Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            return defaultValue;
        }

        if (!Enum.IsDefined(value))
        {
            var known = string.Join(", ", Enum.GetNames<T>().Skip(1));
            throw new InvalidOptionsException($"{name} {value} is not a known value; use one of {known}");
        }

        return value;
    }

    private static string LayerOrDefault(string layer, ModelLimits model)
    {
        if (string.IsNullOrEmpty(layer))
        {
            return model.DefaultLayer;
        }

        if (layer.Length > MaxLayerNameLength || !layer.All(c => c is > ' ' and <= '~'))
        {
            throw new InvalidOptionsException(
                $"target_layer must be a tensor name of at most {MaxLayerNameLength} printable ASCII characters without spaces");
        }

        return layer;
    }
}
