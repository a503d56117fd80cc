using StackExchange.Redis;

namespace SaliencySlider.Shared.Redis;

public static class ConsumerGroups
{
    /// <summary>Creates the stream (empty) and its consumer group reading from the start, unless the group exists.</summary>
    public static async Task EnsureAsync(IDatabase database, RedisKey stream, string group)
    {
        try
        {
            await database.StreamCreateConsumerGroupAsync(stream, group, "0-0", createStream: true);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
        }
    }
}
