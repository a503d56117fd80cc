using Testcontainers.Redis;

namespace SaliencySlider.Service.Tests.Infrastructure;

/// <summary>
/// The real Redis the tests run against: REDIS_URL when set (scripts/test starts a redis-server and
/// sets it), otherwise a Testcontainers Redis when a Docker engine is reachable. Never a fake: with
/// neither, the tests fail and say how to provide one.
/// </summary>
public static class RedisServer
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _configuration;
    private static RedisContainer? _container;

    public static async Task<string> ConfigurationAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_configuration is not null)
            {
                return _configuration;
            }

            var fromEnvironment = Environment.GetEnvironmentVariable("REDIS_URL");
            if (!string.IsNullOrWhiteSpace(fromEnvironment))
            {
                return _configuration = fromEnvironment;
            }

            try
            {
                _container = new RedisBuilder("redis:7.4-alpine").Build();
                await _container.StartAsync();
                AppDomain.CurrentDomain.ProcessExit += (_, _) => _container.DisposeAsync().AsTask().GetAwaiter().GetResult();
                return _configuration = _container.GetConnectionString();
            }
            catch (Exception e)
            {
                throw new InvalidOperationException(
                    "These tests need a real Redis: set REDIS_URL=host:port (scripts/test starts a redis-server and sets it), " +
                    "or make a Docker engine reachable for Testcontainers. Docker failed with: " + e.Message, e);
            }
        }
        finally
        {
            Gate.Release();
        }
    }
}
