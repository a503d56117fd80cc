namespace SaliencySlider.Engine.Explaining;

public sealed record ExplainerOptions
{
    /// <summary>Most images in one classifier run of frames (insertion and deletion inputs count separately).</summary>
    public int MaxImagesPerRun { get; init; } = 64;

    /// <summary>Frames in the first run (0 %, 100 %, 50 % by default), so the first frames come out early.</summary>
    public int FirstChunkFrames { get; init; } = 3;

    /// <summary>JPEG/WebP quality of rendered frames.</summary>
    public int FrameQuality { get; init; } = Rendering.ImageEncoder.DefaultQuality;
}
