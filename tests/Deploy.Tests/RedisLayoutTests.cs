using System.Reflection;
using System.Text.RegularExpressions;
using SaliencySlider.Deploy.Tests.Support;
using SaliencySlider.Shared.Configuration;
using SaliencySlider.Shared.Jobs;
using StackExchange.Redis;

namespace SaliencySlider.Deploy.Tests;

/// <summary>
/// The Redis layout is made in one place (<see cref="JobKeys"/>): its README table says what that file makes, and every
/// configuration file that repeats a name (both appsettings files, the k8s config, the KEDA ScaledObjects) repeats its default.
/// </summary>
public partial class RedisLayoutTests
{
    private const string Readme = "services/Shared/README.md";

    /// <summary>Placeholders as the README writes them, given to <see cref="JobKeys"/> as if they were the settings.</summary>
    private static readonly QueueOptions Placeholders = new()
    {
        Stream = "<Queue:Stream>",
        Group = "<Queue:Group>",
        DeadLetterStream = "<Queue:DeadLetterStream>",
    };

    public static TheoryData<string> AppSettingsFiles => new() { "services/Gateway/appsettings.json", "services/ExplainerWorker/appsettings.json" };

    public static TheoryData<string> Overlays => new() { "cpu", "gpu", "redis-cluster" };

    [Fact]
    public void The_README_table_has_a_row_for_every_name_JobKeys_makes_and_each_row_shows_the_name_it_makes()
    {
        var rows = LayoutRows().ToDictionary(row => row[0]);
        var unsharded = new JobKeys("<prefix>", Placeholders);
        var sharded = new JobKeys("<prefix>", new QueueOptions { Stream = Placeholders.Stream, Group = Placeholders.Group, DeadLetterStream = Placeholders.DeadLetterStream, Shards = 2 });
        var defaults = new JobKeys(JobKeys.DefaultPrefix);

        Assert.Equal(Names().Order(), rows.Keys.Order());
        foreach (var (member, row) in rows)
        {
            var one = NameOf(unsharded, member);
            var several = NameOf(sharded, member);
            Assert.Equal(one, FirstCode(row[1]));
            Assert.Equal(several == one ? one : Untagged(sharded, several), row[2].StartsWith("the same", StringComparison.Ordinal) ? one : FirstCode(row[2]));
            if (DefaultOf(row[1]) is { } documentedDefault)
            {
                Assert.Equal(NameOf(defaults, member), documentedDefault);
            }
        }

        Assert.Contains($"`Redis:KeyPrefix` (default `{JobKeys.DefaultPrefix}`)", File.ReadAllText(RepositoryPaths.Combine(Readme)), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(AppSettingsFiles))]
    public void Both_appsettings_files_name_the_layouts_defaults(string file)
    {
        Assert.Equal(JobKeys.DefaultPrefix, AppSettings.Value(file, "Redis:KeyPrefix"));
        Assert.Equal(JobKeys.DefaultQueueStream, AppSettings.Value(file, "Queue:Stream"));
        Assert.Equal(JobKeys.DefaultGroup, AppSettings.Value(file, "Queue:Group"));
        Assert.Equal(JobKeys.DefaultDeadLetterStream, AppSettings.Value(file, "Queue:DeadLetterStream"));
    }

    [Theory]
    [InlineData("Redis__KeyPrefix", JobKeys.DefaultPrefix)]
    [InlineData("Queue__Stream", JobKeys.DefaultQueueStream)]
    [InlineData("Queue__Group", JobKeys.DefaultGroup)]
    [InlineData("Queue__DeadLetterStream", JobKeys.DefaultDeadLetterStream)]
    public void The_READMEs_configuration_table_gives_the_layouts_defaults(string setting, string expected)
    {
        var row = File.ReadAllLines(RepositoryPaths.Combine("README.md")).Single(line => line.StartsWith($"| `{setting}` |", StringComparison.Ordinal));

        Assert.Equal(expected, FirstCode(CellSeparator().Split(row.Trim('|'))[2]));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void The_k8s_config_and_every_KEDA_trigger_name_the_layouts_defaults(string overlay)
    {
        var rendered = RenderedOverlay.Of(overlay);
        var config = rendered.ConfigMapData("saliency-config");
        var keys = new JobKeys(JobKeys.DefaultPrefix, new QueueOptions { Shards = int.Parse(config.GetValueOrDefault("Queue__Shards", "1"), System.Globalization.CultureInfo.InvariantCulture) });

        Assert.Equal(JobKeys.DefaultPrefix, config.GetValueOrDefault("Redis__KeyPrefix", JobKeys.DefaultPrefix));
        Assert.Equal(JobKeys.DefaultQueueStream, config["Queue__Stream"]);
        Assert.Equal(JobKeys.DefaultGroup, config["Queue__Group"]);
        Assert.Equal(JobKeys.DefaultDeadLetterStream, config["Queue__DeadLetterStream"]);
        var triggers = rendered.Single("ScaledObject", "worker").Items("spec", "triggers").ToList();
        Assert.Equal(Enumerable.Range(0, keys.Shards).Select(shard => (string?)keys.Queue(shard)), triggers.Select(t => t.Scalar("metadata", "stream")));
        Assert.All(triggers, trigger => Assert.Equal(keys.Group, trigger.Scalar("metadata", "consumerGroup")));
    }

    /// <summary>The members of <see cref="JobKeys"/> that make a name: those that return a key, and the consumer group.</summary>
    private static IEnumerable<string> Names() => typeof(JobKeys)
        .GetMembers(BindingFlags.Public | BindingFlags.Instance)
        .Where(m => (m is MethodInfo { IsSpecialName: false } method && method.ReturnType == typeof(RedisKey))
            || (m is PropertyInfo property && property.PropertyType == typeof(RedisKey)))
        .Select(m => m.Name)
        .Append(nameof(JobKeys.Group));

    private static string NameOf(JobKeys keys, string member) => member switch
    {
        nameof(JobKeys.Job) => Text(keys.Job("<jobId>")),
        nameof(JobKeys.Image) => Text(keys.Image("<jobId>")),
        nameof(JobKeys.Events) => Text(keys.Events("<jobId>")),
        nameof(JobKeys.Activity) => Text(keys.Activity(0)),
        nameof(JobKeys.Queue) => Text(keys.Queue(0)),
        nameof(JobKeys.DeadLetter) => Text(keys.DeadLetter(0)),
        nameof(JobKeys.ModelLayers) => Text(keys.ModelLayers("<sha256>")),
        nameof(JobKeys.Workers) => Text(keys.Workers),
        nameof(JobKeys.Group) => keys.Group,
        _ => throw new InvalidOperationException($"JobKeys.{member} makes a name this test does not know: add it here and to {Readme}."),
    };

    private static string Text(RedisKey key) => (string?)key ?? "";

    /// <summary>A sharded name with its shard's hash tag written as the README does, <c>{T}</c>.</summary>
    private static string Untagged(JobKeys keys, string name)
    {
        var shard = name.Contains("<jobId>", StringComparison.Ordinal) ? keys.ShardOf("<jobId>") : 0;
        return name.Replace("{" + keys.Tag(shard) + "}", "{T}", StringComparison.Ordinal);
    }

    /// <summary>The cells of the layout table's rows (the first cell without its backticks).</summary>
    private static IEnumerable<string[]> LayoutRows()
    {
        var lines = File.ReadAllLines(RepositoryPaths.Combine(Readme));
        var header = Array.FindIndex(lines, line => line.StartsWith("| `JobKeys` |", StringComparison.Ordinal));
        Assert.True(header >= 0, $"{Readme} has no table headed `JobKeys`");
        return lines.Skip(header + 2).TakeWhile(line => line.StartsWith('|'))
            .Select(line => CellSeparator().Split(line.Trim('|')).Select(cell => cell.Trim()).ToArray())
            .Select(cells => cells.Skip(1).Prepend(cells[0].Trim('`')).ToArray());
    }

    private static string FirstCode(string cell) => CodeSpan().Match(cell).Groups[1].Value;

    private static string? DefaultOf(string cell) => DefaultSpan().Match(cell) is { Success: true } match ? match.Groups[1].Value : null;

    /// <summary>A cell boundary: a pipe not escaped with a backslash.</summary>
    [GeneratedRegex(@"(?<!\\)\|")]
    private static partial Regex CellSeparator();

    [GeneratedRegex("`([^`]*)`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"\(default `([^`]*)`\)")]
    private static partial Regex DefaultSpan();
}
