using System.Runtime.CompilerServices;
using System.Text;
using Google.Protobuf;
using SaliencySlider.Service.Tests.Infrastructure;

namespace SaliencySlider.Service.Tests.Rest;

/// <summary>Plain HttpClient calls to the gateway's REST/JSON routes, read back into the contract's messages.</summary>
public sealed class RestClient(ServiceStack stack) : IDisposable
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default);

    public HttpClient Http { get; } = new() { BaseAddress = new Uri($"http://127.0.0.1:{stack.HttpPort}"), Timeout = ServiceStack.CallTimeout };

    /// <summary>Sends a request; with <paramref name="body"/> as protobuf JSON (lowerCamelCase, bytes base64).</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, IMessage? body = null, string? apiKey = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(JsonFormatter.Default.Format(body), Encoding.UTF8, "application/json");
        }

        if (apiKey is not null)
        {
            request.Headers.Add("x-api-key", apiKey);
        }

        // Headers only: a stream's body is read as it arrives.
        return await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    public async Task<TResponse> CallAsync<TResponse>(HttpMethod method, string path, IMessage? body = null)
        where TResponse : IMessage<TResponse>, new()
    {
        using var response = await SendAsync(method, path, body);
        var json = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: HTTP {(int)response.StatusCode} {json}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return Parser.Parse<TResponse>(json);
    }

    /// <summary>The lines of a line-delimited JSON stream, each parsed as it arrives.</summary>
    public static async IAsyncEnumerable<TResponse> LinesAsync<TResponse>(HttpResponseMessage response, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where TResponse : IMessage<TResponse>, new()
    {
        if (!response.IsSuccessStatusCode)
        {
            Assert.Fail($"HTTP {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }

        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length > 0)
            {
                yield return Parser.Parse<TResponse>(line);
            }
        }
    }

    /// <summary>Asserts an error answer: the HTTP status, a JSON body with the gRPC status code, and returns its message.</summary>
    public static async Task<string> ErrorAsync(HttpResponseMessage response, int httpStatus, Grpc.Core.StatusCode grpcStatus)
    {
        var json = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == httpStatus, $"expected HTTP {httpStatus}, got {(int)response.StatusCode}: {json}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var status = Parser.Parse<Google.Rpc.Status>(json);
        Assert.Equal((int)grpcStatus, status.Code);
        return status.Message;
    }

    public static int RetryAfterSeconds(HttpResponseMessage response)
        => response.Headers.RetryAfter?.Delta is { } delta
            ? (int)delta.TotalSeconds
            : throw new Xunit.Sdk.XunitException($"no Retry-After header: {response.Headers}");

    public void Dispose() => Http.Dispose();
}
