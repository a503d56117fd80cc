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
    [InlineData("gateway", "Queue:Shards", "0", "between 1 and 1024")]
    [InlineData("gateway", "Queue:Shards", "1025", "between 1 and 1024")]
    [InlineData("gateway", "Queue:BlockTime", "00:00:00", "between 00:00:00.0010000 and 1.00:00:00")]
    [InlineData("gateway", "Redis:ReplicaAckTimeout", "00:00:00", "between 00:00:00.0010000 and 1.00:00:00")]
    [InlineData("gateway", "RateLimit:Burst", "0", "between 1 and 2147483647")]
    [InlineData("gateway", "RateLimit:ScoreCamCost", "0", "between 1 and 2147483647")]
    [InlineData("gateway", "Gateway:DecodeBudgetBytes", "1000", "between 1024 and 2199023254528")]
    [InlineData("gateway", "Gateway:HttpPort", "65536", "between 0 and 65535")]
    [InlineData("worker", "Worker:Concurrency", "0", "between 1 and 2147483647")]
    [InlineData("worker", "Worker:MetricsPort", "-1", "between 0 and 65535")]
    [InlineData("worker", "Queue:MaxAttempts", "0", "between 1 and 2147483647")]
    [InlineData("worker", "Queue:Shards", "0", "between 1 and 1024")]
    public void A_service_refuses_to_start_with_a_setting_out_of_range(string service, string setting, string value, string range)
    {
        Action<IConfigurationBuilder> configure = configuration => configuration.AddInMemoryCollection(
        [
            new("Models:Directory", RepoPaths.ModelDirectory),
            new("Models:ManifestDirectory", RepoPaths.ManifestDirectory),
            new(setting, value),
        ]);

        var error = Assert.Throws<OptionsValidationException>(() => service == "gateway"
            ? (IDisposable)GatewayApplication.Build([], configure)
            : WorkerApplication.Build([], configure));

        var environment = setting.Replace(":", "__", StringComparison.Ordinal);
        Assert.True(
            error.Message.Contains($"The field {setting} must be {range}. It is {value} (environment variable {environment}).", StringComparison.Ordinal),
            error.Message);
    }
}
