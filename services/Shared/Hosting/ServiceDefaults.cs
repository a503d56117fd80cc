using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SaliencySlider.Shared.Configuration;
using SaliencySlider.Shared.Jobs;
using SaliencySlider.Shared.Redis;
using StackExchange.Redis;

namespace SaliencySlider.Shared.Hosting;

/// <summary>
/// What the gateway and the workers wire alike, after dotnet/eShop's ServiceDefaults: configuration with the short
/// aliases, options sections bound and checked against their limits at start, the Redis connection and key layout,
/// and the clock.
/// </summary>
public static class ServiceDefaults
{
    /// <param name="clientName">The Redis client name of the service's connection (CLIENT LIST).</param>
    /// <param name="configure">Adds configuration after the defaults (tests use it to override settings).</param>
    public static IHostApplicationBuilder AddSaliencyServiceDefaults(
        this IHostApplicationBuilder builder, string clientName, Action<IConfigurationBuilder>? configure = null)
    {
        builder.Configuration.AddShortEnvironmentAliases();
        configure?.Invoke(builder.Configuration);

        builder.AddSaliencyOptions<JobOptions>(JobOptions.Section);
        builder.AddSaliencyOptions<ModelsOptions>(ModelsOptions.Section);
        builder.AddSaliencyRedis(clientName);
        builder.Services.TryAddSingleton(TimeProvider.System);
        return builder;
    }

    /// <summary>
    /// Binds <typeparamref name="TOptions"/> to <paramref name="section"/> and checks its declared limits
    /// (<see cref="SettingsValidator{TOptions}"/>) at start.
    /// </summary>
    public static OptionsBuilder<TOptions> AddSaliencyOptions<TOptions>(this IHostApplicationBuilder builder, string section)
        where TOptions : class
    {
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>>(new SettingsValidator<TOptions>(section)));
        return builder.Services.AddOptions<TOptions>().BindConfiguration(section).ValidateOnStart();
    }

    /// <summary>The sections Redis and Queue, one multiplexer for ordinary commands, and the key layout (<see cref="JobKeys"/>).</summary>
    public static IHostApplicationBuilder AddSaliencyRedis(this IHostApplicationBuilder builder, string clientName)
    {
        builder.AddSaliencyOptions<RedisOptions>(RedisOptions.Section);
        builder.AddSaliencyOptions<QueueOptions>(QueueOptions.Section);
        builder.Services.AddSingleton<IConnectionMultiplexer>(services =>
        {
            var options = RedisConnector.ParseConfiguration(services.GetRequiredService<IOptions<RedisOptions>>().Value.Configuration);
            options.ClientName ??= clientName;
            return ConnectionMultiplexer.Connect(options);
        });
        builder.Services.AddSingleton(services => new JobKeys(
            services.GetRequiredService<IOptions<RedisOptions>>().Value.KeyPrefix, services.GetRequiredService<IOptions<QueueOptions>>().Value));
        return builder;
    }

    /// <summary>Dedicated connections for blocking stream reads (<see cref="BlockingStreamReader"/>), at most <paramref name="connections"/>.</summary>
    public static IServiceCollection AddBlockingStreamReader(this IServiceCollection services, string clientName, Func<IServiceProvider, int> connections) =>
        services.AddSingleton(provider => new BlockingStreamReader(
            provider.GetRequiredService<IOptions<RedisOptions>>().Value.Configuration,
            connections(provider),
            provider.GetRequiredService<IOptions<QueueOptions>>().Value.BlockTime,
            clientName));

    /// <summary>
    /// The start-up checks of <see cref="AddSaliencyServiceDefaults"/>, run by Build before the service's own eager
    /// ones (which read the options): every section against its limits (what ValidateOnStart does at StartAsync),
    /// then the key layout against the Redis it is used on.
    /// </summary>
    public static void CheckSaliencyStartup(this IServiceProvider services)
    {
        services.GetService<IStartupValidator>()?.Validate();
        ClusterLayoutCheck.ThrowIfUnsharded(services.GetRequiredService<IConnectionMultiplexer>(), services.GetRequiredService<JobKeys>());
    }
}
