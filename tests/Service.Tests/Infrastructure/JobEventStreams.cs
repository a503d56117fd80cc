using Grpc.Core;
using SaliencySlider.Contracts.V1;

namespace SaliencySlider.Service.Tests.Infrastructure;

/// <summary>The job events that StreamFrames and Explain responses carry, as one kind of stream.</summary>
public static class JobEventStreams
{
    public static IAsyncStreamReader<JobEvent> Events(this IAsyncStreamReader<StreamFramesResponse> stream)
        => new Unwrapped<StreamFramesResponse>(stream, response => response.Event);

    public static IAsyncStreamReader<JobEvent> Events(this IAsyncStreamReader<ExplainResponse> stream)
        => new Unwrapped<ExplainResponse>(stream, response => response.Event);

    private sealed class Unwrapped<TResponse>(IAsyncStreamReader<TResponse> stream, Func<TResponse, JobEvent> unwrap) : IAsyncStreamReader<JobEvent>
    {
        public JobEvent Current => unwrap(stream.Current);

        public Task<bool> MoveNext(CancellationToken cancellationToken) => stream.MoveNext(cancellationToken);
    }
}
