using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using IPNetwork = System.Net.IPNetwork;

namespace SaliencySlider.Gateway.Security;

/// <summary>
/// Gateway:TrustedProxies: the proxies (an ingress controller, a load balancer) whose
/// <c>X-Forwarded-For</c> names the real client, so that the per-client rate limit and the logs see
/// the client rather than the proxy. Empty (the default) ignores the header, which any client can write.
/// </summary>
public static class TrustedProxies
{
    /// <summary>Comma-separated IP addresses or CIDR networks, e.g. "10.0.0.0/8, 192.168.1.10".</summary>
    public static IReadOnlyList<IPNetwork> Parse(string? value)
    {
        var networks = new List<IPNetwork>();
        foreach (var entry in (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (IPNetwork.TryParse(entry, out var network))
            {
                networks.Add(network);
            }
            else if (IPAddress.TryParse(entry, out var address))
            {
                networks.Add(new IPNetwork(address, address.GetAddressBytes().Length * 8));
            }
            else
            {
                throw new InvalidOperationException(
                    $"{GatewayOptions.Section}:{nameof(GatewayOptions.TrustedProxies)}: '{entry}' is neither an IP address nor a CIDR network (e.g. 10.0.0.0/8)");
            }
        }

        return networks;
    }

    /// <summary>
    /// Trusts X-Forwarded-For from the networks of Gateway:TrustedProxies only, and only its last entry (the one the
    /// nearest proxy added).
    /// </summary>
    public static IServiceCollection AddTrustedProxies(this IServiceCollection services) =>
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<GatewayOptions>>((options, gateway) =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var network in Parse(gateway.Value.TrustedProxies))
            {
                options.KnownIPNetworks.Add(network);
            }
        }).Services;
}
