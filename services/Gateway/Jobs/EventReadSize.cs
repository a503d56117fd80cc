using SaliencySlider.Contracts.V1;
using SaliencySlider.Engine.Explaining;
using StackExchange.Redis;

namespace SaliencySlider.Gateway.Jobs;

/// <summary>
/// How many events one read of a job's stream may take, so that a read stays near <see cref="BudgetBytes"/>
/// whatever the frames weigh: the job's options bound a frame's size before any is read, and the
/// largest event seen so far corrects that estimate.
/// </summary>
public sealed class EventReadSize
{
    public const int BudgetBytes = 8 * 1024 * 1024;
    public const int MaxCount = 64;

    // An encoded frame is at most about 4 bytes a pixel (PNG of noise); the explanation adds a heatmap and small tensors.
    private const int BytesPerPixel = 4;
    private const int EventOverheadBytes = 64 * 1024;
    private long _largest;

    private EventReadSize(long estimate) => _largest = estimate;

    public int Count => (int)Math.Clamp(BudgetBytes / Math.Max(1, _largest), 1, MaxCount);

    /// <param name="options">The job's normalised options; null when unknown (the largest frames are assumed).</param>
    public static EventReadSize For(ExplainOptions? options)
    {
        long side = options is { MaxFrameSide: > 0 } ? options.MaxFrameSide : ExplainLimits.MaxFrameSide;
        return new EventReadSize((side * side * BytesPerPixel) + EventOverheadBytes);
    }

    public void Observe(StreamEntry entry)
    {
        long bytes = 0;
        foreach (var value in entry.Values)
        {
            bytes += value.Value.Length();
        }

        _largest = Math.Max(_largest, bytes);
    }
}
