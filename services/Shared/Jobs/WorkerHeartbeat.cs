using System.Globalization;

namespace SaliencySlider.Shared.Jobs;

/// <summary>
/// What one worker slot publishes in the <see cref="JobKeys.Workers"/> hash, refreshed every
/// <see cref="Interval"/>: its execution provider and when it last said so.
/// </summary>
public readonly record struct WorkerHeartbeat(string ExecutionProvider, DateTimeOffset SeenAt)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    /// <summary>A worker not heard from for this long is taken as gone.</summary>
    public static readonly TimeSpan Expiry = TimeSpan.FromSeconds(35);

    public string Encode() => $"{ExecutionProvider}|{SeenAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}";

    public static WorkerHeartbeat? TryDecode(string? value)
    {
        var bar = value?.LastIndexOf('|') ?? -1;
        if (bar <= 0 || !long.TryParse(value.AsSpan(bar + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var unixMs))
        {
            return null;
        }

        return new WorkerHeartbeat(value![..bar], DateTimeOffset.FromUnixTimeMilliseconds(unixMs));
    }

    public bool IsAlive(DateTimeOffset now) => now - SeenAt < Expiry;
}
