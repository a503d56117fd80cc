using StackExchange.Redis;

namespace SaliencySlider.Shared.Redis;

/// <summary>Turns the raw reply of XREAD / XREADGROUP (sent with ExecuteAsync) into stream entries.</summary>
public static class StreamReplyParser
{
    /// <summary>The entries of a reply for one stream key; empty for a timed-out block (nil reply).</summary>
    public static StreamEntry[] ParseSingleStream(RedisResult reply)
    {
        if (reply.IsNull)
        {
            return [];
        }

        var streams = (RedisResult[])reply!;
        if (streams.Length == 0)
        {
            return [];
        }

        // RESP2: [[key, entries]]; RESP3 maps arrive flattened: [key, entries].
        var entries = streams[0].Resp2Type == ResultType.Array ? ((RedisResult[])streams[0]!)[1] : streams[1];
        return ParseEntries(entries);
    }

    private static StreamEntry[] ParseEntries(RedisResult entries)
    {
        if (entries.IsNull)
        {
            return [];
        }

        var items = (RedisResult[])entries!;
        var parsed = new StreamEntry[items.Length];
        for (var i = 0; i < items.Length; i++)
        {
            var pair = (RedisResult[])items[i]!;
            var id = (RedisValue)pair[0];
            // XREADGROUP reports an entry deleted while pending with nil fields.
            var fields = pair[1].IsNull ? [] : (RedisResult[])pair[1]!;
            var values = new NameValueEntry[fields.Length / 2];
            for (var f = 0; f < values.Length; f++)
            {
                values[f] = new NameValueEntry((RedisValue)fields[2 * f], (RedisValue)fields[(2 * f) + 1]);
            }

            parsed[i] = new StreamEntry(id, values);
        }

        return parsed;
    }
}
