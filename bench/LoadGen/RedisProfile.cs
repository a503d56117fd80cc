using System.Globalization;
using System.Text;
using SaliencySlider.EngineBench;
using SaliencySlider.Shared.Configuration;
using SaliencySlider.Shared.Jobs;
using StackExchange.Redis;

namespace SaliencySlider.LoadGen;

/// <summary>Redis work of one kind of request: INFO deltas over a run of <paramref name="Count"/> of them.</summary>
internal sealed record RedisUse(string What, int Count, RedisStats Delta);

/// <summary>What one job's keys hold (MEMORY USAGE, mean over a phase's jobs) and how long they live (PTTL).</summary>
internal sealed record KeyMemory(string Key, double MeanBytes, double TtlHours);

/// <summary>The Redis profile of docs/SCALING.md: commands, bytes and memory per job, measured by the load generator.</summary>
internal sealed class RedisProfile
{
    // The services' defaults (Redis:KeyPrefix, Queue:Stream), which the load generator does not change.
    private static readonly JobKeys Keys = new(new RedisOptions().KeyPrefix);
    private static readonly string QueueStream = new QueueOptions().Stream;

    public List<RedisUse> Uses { get; } = [];
    public List<KeyMemory> JobKeys { get; } = [];
    public (double SharedStreamBytes, double UsedMemoryBytes) GrowthPerJob { get; private set; }
    public int Jobs { get; private set; }

    /// <summary>Runs <paramref name="work"/> (<paramref name="count"/> requests of one kind) and keeps Redis's INFO deltas over it.</summary>
    public async Task<T> MeasureAsync<T>(ServiceProcesses services, string what, int count, Func<Task<T>> work)
    {
        var server = Server(services);
        var before = await RedisStats.ReadAsync(server);
        var result = await work();
        Uses.Add(new RedisUse(what, count, RedisStats.Delta(before, await RedisStats.ReadAsync(server))));
        return result;
    }

    /// <summary>Memory of the jobs of one phase: their own keys, and what the shared streams grew by.</summary>
    public async Task<T> MeasureMemoryAsync<T>(ServiceProcesses services, Func<Task<T>> work, Func<T, IReadOnlyList<string>> jobIds)
    {
        var server = Server(services);
        var database = services.Redis!.GetDatabase();
        var sharedBefore = await SharedStreamBytesAsync(database);
        var usedBefore = (await RedisStats.ReadAsync(server)).UsedMemory;
        var result = await work();
        var ids = jobIds(result);
        var usedAfter = (await RedisStats.ReadAsync(server)).UsedMemory;
        var sharedAfter = await SharedStreamBytesAsync(database);
        Jobs = ids.Count;
        GrowthPerJob = ((sharedAfter - sharedBefore) / (double)ids.Count, (usedAfter - usedBefore) / (double)ids.Count);
        foreach (var (name, key) in new (string, Func<string, RedisKey>)[] { ("job record (hash)", Keys.Job), ("image (string)", Keys.Image), ("events (stream)", Keys.Events) })
        {
            var bytes = new List<double>();
            var ttls = new List<double>();
            foreach (var id in ids)
            {
                bytes.Add(await MemoryUsageAsync(database, key(id)));
                ttls.Add(((await database.KeyTimeToLiveAsync(key(id))) ?? TimeSpan.Zero).TotalHours);
            }
            JobKeys.Add(new KeyMemory(name, bytes.Average(), ttls.Max()));
        }
        return result;
    }

    public string Markdown(LoadOptions options)
    {
        var s = new StringBuilder();
        s.AppendLine(MachineInfo.GeneratedBy(options.Command, options.RepoRoot));
        s.AppendLine();
        s.AppendLine(Invariant($"Setup: the load generator's redis-server, gateway and workers (see docs/PERFORMANCE.md, \"Measured: service\"); default model, default options; commands from INFO commandstats, bytes from INFO stats (total_net_input/output_bytes) as deltas over each run, divided by its count. The workers' heartbeats and the gateway's activity reads fall into the runs as they do in service. Counts are not timings: the machine's load does not move them much.{(options.Short ? " **Short mode** (the test suite's check): too few jobs to quote." : "")}"));
        s.AppendLine();
        s.AppendLine("| per | count | Redis commands | by command | KiB into Redis | KiB out of Redis |");
        s.AppendLine("|---|---:|---:|---|---:|---:|");
        foreach (var use in Uses)
        {
            var delta = use.Delta;
            var byCommand = string.Join(", ", delta.CallsByCommand.Where(pair => pair.Value > 0).OrderByDescending(pair => pair.Value)
                .Select(pair => Invariant($"{pair.Key} {pair.Value / (double)use.Count:F1}")));
            s.AppendLine(Invariant($"| {use.What} | {use.Count} | {delta.Commands / (double)use.Count:F1} | {byCommand} | {delta.InputBytes / (double)use.Count / 1024:F0} | {delta.OutputBytes / (double)use.Count / 1024:F0} |"));
        }
        s.AppendLine();
        s.AppendLine(Invariant($"Memory per job ({Jobs} jobs; MEMORY USAGE … SAMPLES 0 of each job's keys, mean; the time to live as set when the job completed):"));
        s.AppendLine();
        s.AppendLine("| key | bytes | expires after (h) |");
        s.AppendLine("|---|---:|---:|");
        foreach (var key in JobKeys)
        {
            s.AppendLine(Invariant($"| {key.Key} | {key.MeanBytes:F0} | {key.TtlHours:F2} |"));
        }
        s.AppendLine(Invariant($"| all of the job's keys | {JobKeys.Sum(k => k.MeanBytes):F0} | |"));
        s.AppendLine(Invariant($"| shared streams (queue `{QueueStream}`, activity `{Keys.Activity(0)}`): growth per job | {GrowthPerJob.SharedStreamBytes:F0} | |"));
        s.AppendLine(Invariant($"| INFO used_memory: growth per job over the same jobs | {GrowthPerJob.UsedMemoryBytes:F0} | |"));
        return s.ToString();
    }

    private static IServer Server(ServiceProcesses services) => services.Redis!.GetServer("127.0.0.1", services.RedisPort);

    private static async Task<long> SharedStreamBytesAsync(IDatabase database)
        => await MemoryUsageAsync(database, QueueStream) + await MemoryUsageAsync(database, Keys.Activity(0));

    private static async Task<long> MemoryUsageAsync(IDatabase database, RedisKey key)
    {
        var result = await database.ExecuteAsync("MEMORY", "USAGE", key, "SAMPLES", "0");
        return result.IsNull ? 0 : (long)result;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
