using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;

namespace SaliencySlider.Service.Tests.Infrastructure;

/// <summary>
/// A real local Redis Cluster of the test's own: six redis-server processes with cluster mode on free ports
/// (3 primaries, each with one replica, joined by <c>redis-cli --cluster create</c>), a short node timeout so a
/// killed primary's replica takes over within seconds. Disposing kills every process and deletes their folders.
/// </summary>
public sealed class RedisCluster : IAsyncLifetime
{
    public const int Primaries = 3;
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    private readonly List<OwnRedisServer> _nodes = [];
    private ConnectionMultiplexer? _connection;

    /// <summary>Every node's endpoint, as a StackExchange.Redis configuration string.</summary>
    public string Configuration => string.Join(',', _nodes.Select(n => n.Configuration));

    public IConnectionMultiplexer Connection => _connection!;

    public async Task InitializeAsync()
    {
        for (var i = 0; i < 2 * Primaries; i++)
        {
            var node = new OwnRedisServer(
                "--cluster-enabled", "yes", "--cluster-port", OwnRedisServer.FreePort().ToString(CultureInfo.InvariantCulture),
                "--cluster-node-timeout", "1000", "--appendonly", "no");
            _nodes.Add(node);
            await node.StartAsync();
        }

        var create = new ProcessStartInfo("redis-cli") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        create.ArgumentList.Add("--cluster");
        create.ArgumentList.Add("create");
        foreach (var node in _nodes)
        {
            create.ArgumentList.Add(node.Configuration);
        }

        foreach (var argument in new[] { "--cluster-replicas", "1", "--cluster-yes" })
        {
            create.ArgumentList.Add(argument);
        }

        using (var process = Process.Start(create) ?? throw new InvalidOperationException("could not start redis-cli (is redis-tools installed?)"))
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(ReadyTimeout);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"redis-cli --cluster create failed: {await output}{await errors}");
            }
        }

        await WaitUntilAsync(AllNodesReadyAsync, "the cluster to be ok with every replica in sync");
        _connection = await ConnectionMultiplexer.ConnectAsync(Configuration);
    }

    /// <summary>
    /// SIGKILLs the primary that holds <paramref name="key"/>'s slot and returns once its replica took over
    /// the slots and the killed node, started again on its folder (a restarted pod), is the new primary's replica
    /// in sync, so the shard is redundant again.
    /// </summary>
    /// <param name="when">Kills once this completes (the primary is found before).</param>
    public async Task KillPrimaryOfAsync(RedisKey key, Task when)
    {
        var slot = _connection!.HashSlot(key);
        var victim = await PrimaryOfSlotAsync(slot) ?? throw new InvalidOperationException($"no live primary owns slot {slot}");
        await when;
        await victim.KillAsync();
        _nodes.Remove(victim);
        await WaitUntilAsync(async () => await PrimaryOfSlotAsync(slot) is not null && await ClusterOkAsync(_nodes[0]), "a replica to take over the killed primary's slots");
        await victim.StartAsync();
        _nodes.Add(victim);
        await WaitUntilAsync(AllNodesReadyAsync, "the killed primary to come back as a replica in sync");
    }

    /// <summary>The live node that owns <paramref name="slot"/> as a primary; none while its primary is failing over.</summary>
    public async Task<OwnRedisServer?> PrimaryOfSlotAsync(int slot)
    {
        foreach (var node in _nodes)
        {
            var info = await InfoAsync(node, "replication");
            if (info.Contains("role:master", StringComparison.Ordinal) && await OwnsSlotAsync(node, slot))
            {
                return node;
            }
        }

        return null;
    }

    public async Task DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
    }

    private static async Task<bool> OwnsSlotAsync(OwnRedisServer node, int slot)
    {
        var myself = (await CliAsync(node, "cluster", "nodes")).Split('\n').FirstOrDefault(line => line.Contains("myself", StringComparison.Ordinal)) ?? "";
        foreach (var range in myself.Split(' ').Skip(8))
        {
            var bounds = range.Split('-');
            if (int.TryParse(bounds[0], CultureInfo.InvariantCulture, out var first)
                && int.TryParse(bounds[^1], CultureInfo.InvariantCulture, out var last)
                && slot >= first && slot <= last)
            {
                return true;
            }
        }

        return false;
    }

    private async Task<bool> AllNodesReadyAsync()
    {
        foreach (var node in _nodes)
        {
            var replication = await InfoAsync(node, "replication");
            if (!await ClusterOkAsync(node)
                || (replication.Contains("role:slave", StringComparison.Ordinal) && !replication.Contains("master_link_status:up", StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
    }

    private static async Task<bool> ClusterOkAsync(OwnRedisServer node)
        => (await CliAsync(node, "cluster", "info")).Contains("cluster_state:ok", StringComparison.Ordinal);

    private static Task<string> InfoAsync(OwnRedisServer node, string section) => CliAsync(node, "info", section);

    private static async Task<string> CliAsync(OwnRedisServer node, params string[] command)
    {
        var start = new ProcessStartInfo("redis-cli") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { "-p", node.Port.ToString(CultureInfo.InvariantCulture) }.Concat(command))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + ReadyTimeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"waited {ReadyTimeout.TotalSeconds} s for {what}");
            }

            await Task.Delay(100); // polling a state Redis reports; nothing to subscribe to
        }
    }
}
