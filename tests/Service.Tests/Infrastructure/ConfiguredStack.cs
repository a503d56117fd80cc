namespace SaliencySlider.Service.Tests.Infrastructure;

/// <summary>A class fixture: a <see cref="ServiceStack"/> on the shared Redis whose gateway has these settings over the common ones.</summary>
public abstract class ConfiguredStack(params KeyValuePair<string, string?>[] gatewaySettings) : IAsyncLifetime
{
    public ServiceStack Stack { get; } = new(null, gatewaySettings);

    public Task InitializeAsync() => Stack.InitializeAsync();

    public Task DisposeAsync() => Stack.DisposeAsync();
}
