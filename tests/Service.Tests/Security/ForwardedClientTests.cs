using System.Net;
using Grpc.Core;
using SaliencySlider.Contracts.V1;
using SaliencySlider.Gateway.Security;
using SaliencySlider.Service.Tests.Infrastructure;

namespace SaliencySlider.Service.Tests.Security;

/// <summary>A gateway behind a trusted proxy (here: any loopback caller), one submission per client.</summary>
public sealed class ProxiedStack() : ConfiguredStack(
    new("Gateway:TrustedProxies", "127.0.0.1/32, ::1"),
    new("RateLimit:SubmitsPerMinute", "1"),
    new("RateLimit:Burst", "1"));

/// <summary>The same gateway without trusted proxies: X-Forwarded-For must change nothing.</summary>
public sealed class UnproxiedStack() : ConfiguredStack(
    new("RateLimit:SubmitsPerMinute", "1"),
    new("RateLimit:Burst", "1"));

internal static class ForwardedCalls
{
    /// <summary>Submits an empty request as if a proxy forwarded it for <paramref name="client"/>; returns the status.</summary>
    public static async Task<StatusCode> SubmitForAsync(ServiceStack stack, string client)
    {
        var headers = new Metadata { { "x-forwarded-for", client } };
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            stack.Client.SubmitAsync(new SubmitRequest(), new CallOptions(headers, DateTime.UtcNow + ServiceStack.CallTimeout)).ResponseAsync);
        return error.StatusCode;
    }
}

public sealed class ForwardedClientBehindProxyTests(ProxiedStack fixture) : IClassFixture<ProxiedStack>
{
    [Fact]
    public async Task Behind_a_trusted_proxy_each_forwarded_client_has_its_own_rate_limit()
    {
        // An empty request is admitted (then refused as INVALID_ARGUMENT) or rate-limited (RESOURCE_EXHAUSTED).
        Assert.Equal(StatusCode.InvalidArgument, await ForwardedCalls.SubmitForAsync(fixture.Stack, "203.0.113.7"));
        Assert.Equal(StatusCode.ResourceExhausted, await ForwardedCalls.SubmitForAsync(fixture.Stack, "203.0.113.7"));
        Assert.Equal(StatusCode.InvalidArgument, await ForwardedCalls.SubmitForAsync(fixture.Stack, "203.0.113.8"));
        // Only the entry the proxy appended counts: a client cannot prepend addresses to get a fresh bucket.
        Assert.Equal(StatusCode.ResourceExhausted, await ForwardedCalls.SubmitForAsync(fixture.Stack, "198.51.100.1, 203.0.113.8"));
    }
}

public sealed class ForwardedClientWithoutProxyTests(UnproxiedStack fixture) : IClassFixture<UnproxiedStack>
{
    [Fact]
    public async Task Without_trusted_proxies_a_forged_X_Forwarded_For_does_not_buy_a_new_rate_limit()
    {
        Assert.Equal(StatusCode.InvalidArgument, await ForwardedCalls.SubmitForAsync(fixture.Stack, "203.0.113.7"));
        Assert.Equal(StatusCode.ResourceExhausted, await ForwardedCalls.SubmitForAsync(fixture.Stack, "203.0.113.8"));
    }
}

public sealed class TrustedProxiesSettingTests
{
    [Fact]
    public void Addresses_and_CIDR_networks_are_accepted_and_anything_else_is_refused_by_name()
    {
        var networks = TrustedProxies.Parse(" 10.0.0.0/8, 192.168.1.10 ,::1");

        Assert.Equal([8, 32, 128], networks.Select(n => n.PrefixLength));
        Assert.True(networks[1].Contains(IPAddress.Parse("192.168.1.10")));
        Assert.False(networks[1].Contains(IPAddress.Parse("192.168.1.11")));
        Assert.Empty(TrustedProxies.Parse(""));
        var error = Assert.Throws<InvalidOperationException>(() => TrustedProxies.Parse("10.0.0.0/8, ingress"));
        Assert.Contains("Gateway:TrustedProxies: 'ingress' is neither an IP address nor a CIDR network", error.Message, StringComparison.Ordinal);
    }
}
