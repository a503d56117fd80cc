namespace SaliencySlider.Engine.Explaining;

/// <summary>Logits of one chunk of frames: every insertion input, then (with a deletion curve) every deletion input.</summary>
public sealed class FrameLogits(float[] logits, int classCount, int frames, bool hasDeletion)
{
    public float[] Values { get; } = logits;

    public ReadOnlySpan<float> Insertion(int position) => Values.AsSpan(position * classCount, classCount);

    public ReadOnlySpan<float> Deletion(int position) => hasDeletion
        ? Values.AsSpan((frames + position) * classCount, classCount)
        : [];
}
