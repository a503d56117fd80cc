using StackExchange.Redis;

namespace SaliencySlider.Shared.Redis;

public static class RedisConnector
{
    /// <summary>
    /// Parses a StackExchange.Redis configuration string or a redis:// (rediss://) URL. Connections
    /// keep retrying in the background rather than failing at start (AbortOnConnectFail = false).
    /// </summary>
    public static ConfigurationOptions ParseConfiguration(string configuration)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        ConfigurationOptions options;
        if (Uri.TryCreate(configuration, UriKind.Absolute, out var uri) && uri.Scheme is "redis" or "rediss")
        {
            options = new ConfigurationOptions { Ssl = uri.Scheme == "rediss" };
            options.EndPoints.Add(uri.Host, uri.IsDefaultPort ? 6379 : uri.Port);
            var userInfo = Uri.UnescapeDataString(uri.UserInfo);
            if (userInfo.Length > 0)
            {
                var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
                if (colon >= 0)
                {
                    options.User = colon > 0 ? userInfo[..colon] : null;
                    options.Password = userInfo[(colon + 1)..];
                }
                else
                {
                    options.Password = userInfo;
                }
            }

            var database = uri.AbsolutePath.Trim('/');
            if (database.Length > 0 && int.TryParse(database, out var db))
            {
                options.DefaultDatabase = db;
            }
        }
        else
        {
            options = ConfigurationOptions.Parse(configuration);
        }

        options.AbortOnConnectFail = false;
        return options;
    }

    /// <summary>
    /// A connection for one blocking reader at a time: its command timeout outlasts the longest block,
    /// and it is never shared with ordinary commands, which would queue behind the blocked one.
    /// </summary>
    public static Task<ConnectionMultiplexer> ConnectForBlockingAsync(string configuration, string clientName, TimeSpan longestBlock)
    {
        var options = ParseConfiguration(configuration);
        options.ClientName ??= clientName;
        var timeout = (int)(longestBlock + TimeSpan.FromSeconds(10)).TotalMilliseconds;
        options.AsyncTimeout = Math.Max(options.AsyncTimeout, timeout);
        options.SyncTimeout = Math.Max(options.SyncTimeout, timeout);
        return ConnectionMultiplexer.ConnectAsync(options);
    }
}
