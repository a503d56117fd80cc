using Grpc.Core;
using SaliencySlider.Service.Tests.Infrastructure;

namespace SaliencySlider.Service.Tests.Rest;

/// <summary>A gateway on a redis-server of the test's own, which the test kills.</summary>
public sealed class RestRedisDownTests
{
    [Fact]
    public async Task With_Redis_gone_a_REST_call_answers_503_with_the_retryable_message()
    {
        await using var redis = new OwnRedisServer();
        await redis.StartAsync();
        var stack = new ServiceStack(redis.Configuration, []);
        try
        {
            await stack.InitializeAsync();
            using var rest = new RestClient(stack);

            await redis.KillAsync();
            using var response = await rest.SendAsync(HttpMethod.Get, "/v1/jobs/" + new string('0', 64));

            Assert.Equal("the job store (Redis) is unavailable; retry shortly", await RestClient.ErrorAsync(response, 503, StatusCode.Unavailable));
        }
        finally
        {
            await stack.DisposeAsync();
        }
    }
}
