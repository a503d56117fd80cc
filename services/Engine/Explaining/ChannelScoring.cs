using SaliencySlider.Engine.Cam;

namespace SaliencySlider.Engine.Explaining;

/// <summary>
/// Score-CAM's forward passes for one explanation: the channels to score, their masked inputs (written where a
/// classifier run wants them) and, as runs finish, each channel's score (the target class's logit).
/// </summary>
public sealed class ChannelScoring
{
    private readonly ActivationMaps _maps;
    private readonly int[] _channels;
    private readonly float[] _scores;
    private readonly int _inputHeight;
    private readonly int _inputWidth;

    public ChannelScoring(PreparedImage image, in ActivationMaps maps, int targetClass, int inputHeight, int inputWidth, int? channelCap)
    {
        Image = image;
        TargetClass = targetClass;
        _maps = maps;
        _inputHeight = inputHeight;
        _inputWidth = inputWidth;
        _channels = ScoreCamMasks.SelectChannels(maps, channelCap);
        _scores = new float[maps.Channels];
        Array.Fill(_scores, float.NaN);
    }

    public PreparedImage Image { get; }
    public int TargetClass { get; }

    /// <summary>Channels to score (masked inputs to run).</summary>
    public int Count => _channels.Length;

    /// <summary>[K] each channel's score; NaN for a channel not (yet) scored.</summary>
    public float[] Scores => _scores;

    /// <summary>The channels to score cut into runs of at most <paramref name="size"/> masked inputs, in order.</summary>
    public IEnumerable<ScoreRun> Runs(int size)
    {
        size = Math.Max(1, size);
        for (var first = 0; first < Count; first += size)
        {
            yield return new ScoreRun(this, first, Math.Min(size, Count - first));
        }
    }

    /// <summary>The masked inputs of the channels <paramref name="first"/>..first + count − 1 of <see cref="Count"/>, one after the other.</summary>
    public void WriteInputs(int first, int count, Span<float> destination)
    {
        var input = Image.InputTensor;
        for (var i = 0; i < count; i++)
        {
            ScoreCamMasks.WriteMaskedInput(_maps, _channels[first + i], input, _inputHeight, _inputWidth, destination.Slice(i * input.Length, input.Length));
        }
    }

    /// <summary>Takes the target's logits of the inputs <see cref="WriteInputs"/> wrote for channels from <paramref name="first"/> on.</summary>
    public void Record(int first, ReadOnlySpan<float> targetLogits)
    {
        for (var i = 0; i < targetLogits.Length; i++)
        {
            _scores[_channels[first + i]] = targetLogits[i];
        }
    }
}

/// <summary>Masked inputs of one explanation to run in a classifier run: <see cref="Count"/> channels from <see cref="First"/> on.</summary>
public readonly record struct ScoreRun(ChannelScoring Scoring, int First, int Count);
