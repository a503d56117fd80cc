namespace SaliencySlider.Engine.Explaining;

public sealed record ExplainerOptions
{
    /// <summary>
    /// Most images in one classifier run of frames (insertion and deletion inputs count separately) on CPU
    /// (<see cref="Explainer.RunForward"/>). Small runs
    /// cost little on CPU (per-image time is flat from batch 4 up, see docs/PERFORMANCE.md) and let rendering
    /// of one run overlap the next run's inference.
    /// </summary>
    public int MaxImagesPerRun { get; init; } = 8;

    /// <summary>
    /// Frames in the first run (0 % and 100 % by default; the 100 % frame reuses the gradient run's logits), so
    /// the first frames come out after a single forward pass.
    /// </summary>
    public int FirstChunkFrames { get; init; } = 2;

    /// <summary>
    /// Frames rendered (composed and encoded) at the same time, by all jobs of this explainer together. 1 renders
    /// each frame on the consuming thread as it is taken. More pays off when inference runs on a GPU and cores are
    /// idle: rendering is then most of a job's time (docs/PERFORMANCE.md). Frames still come out in order.
    /// </summary>
    public int RenderThreads { get; init; } = 1;

    /// <summary>
    /// What <see cref="RenderThreads"/> should be for a classifier on <paramref name="executionProvider"/> ("CPU" or
    /// "CUDA"): 1 on CPU, where inference already keeps the cores busy; on a GPU, every core but one, because there
    /// the CPU side bounds the jobs (docs/GPU-CHECKS.md: on 16 cores, 8 jobs at once did 125 jobs/s with 15 threads
    /// against 107 with 8).
    /// </summary>
    public static int DefaultRenderThreads(string executionProvider) =>
        executionProvider == "CUDA" ? Math.Max(1, Environment.ProcessorCount - 1) : 1;

    /// <summary>JPEG/WebP quality of rendered frames.</summary>
    public int FrameQuality { get; init; } = Rendering.ImageEncoder.DefaultQuality;

    /// <summary>Called (on the inference thread) as a run of frames starts, with the frame indices it predicts.</summary>
    public Action<IReadOnlyList<int>>? FrameRunStarting { get; init; }
}
