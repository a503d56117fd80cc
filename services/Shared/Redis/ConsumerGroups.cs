using StackExchange.Redis;

namespace SaliencySlider.Shared.Redis;

public static class ConsumerGroups
{
    /// <summary>
    /// Creates the stream (empty) and its consumer group reading from the start, unless the group exists.
    /// It looks first, so that a worker starting while Redis is out of memory (which refuses XGROUP CREATE)
    /// still consumes an existing group.
    /// </summary>
    public static async Task EnsureAsync(IDatabase database, RedisKey stream, string group)
    {
        if (await database.KeyExistsAsync(stream)
            && (await database.StreamGroupInfoAsync(stream)).Any(g => g.Name == group))
        {
            return;
        }

        try
        {
            await database.StreamCreateConsumerGroupAsync(stream, group, "0-0", createStream: true);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
        }
    }
}
