using System.Globalization;
using StackExchange.Redis;

namespace SaliencySlider.LoadGen;

/// <summary>Redis's own counters (INFO stats and commandstats), to turn a phase into per-job operations and bytes.</summary>
internal sealed record RedisStats(long Commands, long InputBytes, long OutputBytes, long UsedMemory, IReadOnlyDictionary<string, long> CallsByCommand)
{
    /// <summary>A snapshot; the INFO calls themselves (this bench's own) are left out of the counts.</summary>
    public static async Task<RedisStats> ReadAsync(IServer server)
    {
        var info = (await server.InfoAsync()).Concat(await server.InfoAsync("commandstats"))
            .SelectMany(group => group)
            .GroupBy(pair => pair.Key, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.First().Value, StringComparer.Ordinal);
        var calls = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (key, value) in info.Where(pair => pair.Key.StartsWith("cmdstat_", StringComparison.Ordinal) && pair.Key != "cmdstat_info"))
        {
            // calls=12,usec=...,...
            var callsField = value.Split(',')[0];
            calls[key["cmdstat_".Length..]] = long.Parse(callsField["calls=".Length..], CultureInfo.InvariantCulture);
        }
        return new RedisStats(
            calls.Values.Sum(),
            long.Parse(info["total_net_input_bytes"], CultureInfo.InvariantCulture),
            long.Parse(info["total_net_output_bytes"], CultureInfo.InvariantCulture),
            long.Parse(info["used_memory"], CultureInfo.InvariantCulture),
            calls);
    }

    /// <summary>What happened between two snapshots.</summary>
    public static RedisStats Delta(RedisStats before, RedisStats after) => new(
        after.Commands - before.Commands,
        after.InputBytes - before.InputBytes,
        after.OutputBytes - before.OutputBytes,
        after.UsedMemory - before.UsedMemory,
        after.CallsByCommand.ToDictionary(
            pair => pair.Key,
            pair => pair.Value - before.CallsByCommand.GetValueOrDefault(pair.Key),
            StringComparer.Ordinal));
}
