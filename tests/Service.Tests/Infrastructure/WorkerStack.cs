namespace SaliencySlider.Service.Tests.Infrastructure;

/// <summary>A <see cref="ServiceStack"/> with one worker running from the start.</summary>
public sealed class WorkerStack : IAsyncLifetime
{
    public ServiceStack Stack { get; } = new();
    public WorkerHandle Worker { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Stack.InitializeAsync();
        Worker = await Stack.StartWorkerAsync("only");
    }

    public Task DisposeAsync() => Stack.DisposeAsync();
}
