using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using SaliencySlider.ExplainerWorker;
using SaliencySlider.Gateway;
using SaliencySlider.Service.Tests.Infrastructure;

namespace SaliencySlider.Service.Tests;

/// <summary>A setting out of its range stops the host at start, naming the setting, its range and its value (no Redis needed).</summary>
public sealed class StartupSettingsTests
{
    [Theory]
    [InlineData("Queue:Shards", "0", "between 1 and 1024")]
    [InlineData("Queue:Shards", "1025", "between 1 and 1024")]
    [InlineData("Queue:BlockTime", "00:00:00", "between 00:00:00.0010000 and 1.00:00:00")]
    [InlineData("Redis:ReplicaAckTimeout", "00:00:00", "between 00:00:00.0010000 and 1.00:00:00")]
    [InlineData("RateLimit:Burst", "0", "between 1 and 2147483647")]
    [InlineData("RateLimit:ScoreCamCost", "0", "between 1 and 2147483647")]
    [InlineData("Gateway:DecodeBudgetBytes", "1000", "between 1024 and 2199023254528")]
    [InlineData("Gateway:HttpPort", "65536", "between 0 and 65535")]
    public void The_gateway_refuses_to_start_with_a_setting_out_of_range(string setting, string value, string range)
    {
        var error = Assert.Throws<OptionsValidationException>(() => GatewayApplication.Build([], With(setting, value)));

        AssertNames(error, setting, value, range);
    }

    [Theory]
    [InlineData("Worker:Concurrency", "0", "between 1 and 2147483647")]
    [InlineData("Worker:MetricsPort", "-1", "between 0 and 65535")]
    [InlineData("Queue:MaxAttempts", "0", "between 1 and 2147483647")]
    [InlineData("Queue:Shards", "0", "between 1 and 1024")]
    public void A_worker_refuses_to_start_with_a_setting_out_of_range(string setting, string value, string range)
    {
        var error = Assert.Throws<OptionsValidationException>(() => WorkerApplication.Build([], With(setting, value)));

        AssertNames(error, setting, value, range);
    }

    private static Action<IConfigurationBuilder> With(string setting, string value) => configuration => configuration.AddInMemoryCollection(
    [
        new("Models:Directory", RepoPaths.ModelDirectory),
        new("Models:ManifestDirectory", RepoPaths.ManifestDirectory),
        new(setting, value),
    ]);

    private static void AssertNames(OptionsValidationException error, string setting, string value, string range)
    {
        var environment = setting.Replace(":", "__", StringComparison.Ordinal);
        Assert.True(
            error.Message.Contains($"The field {setting} must be {range}. It is {value} (environment variable {environment}).", StringComparison.Ordinal),
            error.Message);
    }
}
