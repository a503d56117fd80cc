namespace SaliencySlider.Service.Tests.Infrastructure;

/// <summary>The tests' own redis-server: a server that cannot start says why at once instead of timing out.</summary>
public sealed class OwnRedisServerTests
{
    [Fact]
    public async Task A_server_whose_port_stays_taken_fails_with_redis_servers_own_message()
    {
        await using var first = new OwnRedisServer();
        await first.StartAsync();
        // The later --port wins over the one the helper picks, so every attempt finds the port taken.
        await using var second = new OwnRedisServer("--port", first.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        // Before, this waited out the 20 s readiness timeout and threw a TimeoutException saying nothing of why.
        var error = await Assert.ThrowsAsync<InvalidOperationException>(second.StartAsync);

        Assert.Contains("Address already in use", error.Message, StringComparison.Ordinal);
    }
}
