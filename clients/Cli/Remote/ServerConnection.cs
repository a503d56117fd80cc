using Grpc.Core;
using Grpc.Net.Client;

namespace SaliencySlider.Cli.Remote;

/// <summary>A gRPC channel to a Saliency Slider gateway, and how a failed call becomes an exit code.</summary>
internal static class ServerConnection
{
    private const int MaxMessageBytes = 64 * 1024 * 1024;

    /// <summary>"host:port" (cleartext HTTP/2) or a full "http://…" / "https://…" address.</summary>
    public static GrpcChannel Open(string server)
    {
        var address = server.Contains("://", StringComparison.Ordinal) ? server : "http://" + server;
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"--server '{server}' is not host:port or an http(s):// address");
        }

        return GrpcChannel.ForAddress(uri, new GrpcChannelOptions { MaxReceiveMessageSize = MaxMessageBytes, MaxSendMessageSize = MaxMessageBytes });
    }

    /// <summary>UNAVAILABLE and DEADLINE_EXCEEDED are worth retrying (exit 3); any other status is a failure (exit 1).</summary>
    public static async Task<int> ReportAsync(RpcException e, TextWriter stderr)
    {
        await stderr.WriteLineAsync($"error: {StatusName(e.StatusCode)}: {e.Status.Detail.ReplaceLineEndings(" ").Trim()}");
        return e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded ? CliApp.ExitUnavailable : CliApp.ExitFailure;
    }

    /// <summary>The canonical gRPC name: INVALID_ARGUMENT for InvalidArgument.</summary>
    public static string StatusName(StatusCode code)
        => string.Concat(code.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : c.ToString())).ToUpperInvariant();
}
