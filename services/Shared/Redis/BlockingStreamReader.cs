using System.Threading.Channels;
using StackExchange.Redis;

namespace SaliencySlider.Shared.Redis;

/// <summary>
/// Blocking stream reads (XREAD BLOCK, XREADGROUP BLOCK) on dedicated connections, at most one
/// blocked command per connection. StackExchange.Redis pipelines every command of a multiplexer
/// over one socket, so a blocking command on the shared multiplexer would stall everybody else.
/// </summary>
public sealed class BlockingStreamReader : IAsyncDisposable
{
    private readonly string _configuration;
    private readonly string _clientName;
    private readonly SemaphoreSlim _slots;
    private readonly Channel<ConnectionMultiplexer> _idle = Channel.CreateUnbounded<ConnectionMultiplexer>();
    private readonly List<ConnectionMultiplexer> _all = [];
    private readonly Lock _allLock = new();

    public BlockingStreamReader(string configuration, int maxConnections, TimeSpan blockTime, string clientName)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConnections, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockTime, TimeSpan.FromMilliseconds(1));
        _configuration = configuration;
        _clientName = clientName;
        BlockTime = blockTime;
        _slots = new SemaphoreSlim(maxConnections, maxConnections);
    }

    /// <summary>Longest one read blocks before it returns no entries.</summary>
    public TimeSpan BlockTime { get; }

    /// <summary>
    /// Entries of <paramref name="key"/> after <paramref name="afterId"/>, waiting up to
    /// <see cref="BlockTime"/> for the first one; empty when none came. Cancellation abandons the wait
    /// (the connection returns to the pool once Redis answers).
    /// </summary>
    public async Task<StreamEntry[]> ReadAsync(RedisKey key, RedisValue afterId, int count, CancellationToken cancellationToken)
    {
        var connection = await AcquireAsync(cancellationToken);
        var reply = ExecuteAndRelease(connection, "XREAD",
            ["COUNT", count, "BLOCK", (long)BlockTime.TotalMilliseconds, "STREAMS", key, afterId]);
        return StreamReplyParser.ParseSingleStream(await reply.WaitAsync(cancellationToken));
    }

    /// <summary>
    /// New entries for <paramref name="consumer"/> of <paramref name="group"/>, waiting up to
    /// <see cref="BlockTime"/>. Not cancellable once sent: an abandoned read could be handed entries
    /// that then nobody processes.
    /// </summary>
    public async Task<StreamEntry[]> ReadGroupAsync(RedisKey key, string group, string consumer, int count)
    {
        var connection = await AcquireAsync(CancellationToken.None);
        var reply = await ExecuteAndRelease(connection, "XREADGROUP",
            ["GROUP", group, consumer, "COUNT", count, "BLOCK", (long)BlockTime.TotalMilliseconds, "STREAMS", key, ">"]);
        return StreamReplyParser.ParseSingleStream(reply);
    }

    private Task<RedisResult> ExecuteAndRelease(ConnectionMultiplexer connection, string command, object[] arguments)
    {
        Task<RedisResult> reply;
        try
        {
            reply = connection.GetDatabase().ExecuteAsync(command, arguments);
        }
        catch
        {
            Release(connection);
            throw;
        }

        _ = reply.ContinueWith(_ => Release(connection), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return reply;
    }

    private async Task<ConnectionMultiplexer> AcquireAsync(CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        try
        {
            if (_idle.Reader.TryRead(out var idle))
            {
                return idle;
            }

            var connection = await RedisConnector.ConnectForBlockingAsync(_configuration, _clientName, BlockTime);
            lock (_allLock)
            {
                _all.Add(connection);
            }

            return connection;
        }
        catch
        {
            _slots.Release();
            throw;
        }
    }

    private void Release(ConnectionMultiplexer connection)
    {
        _idle.Writer.TryWrite(connection);
        _slots.Release();
    }

    public async ValueTask DisposeAsync()
    {
        ConnectionMultiplexer[] all;
        lock (_allLock)
        {
            all = [.. _all];
            _all.Clear();
        }

        foreach (var connection in all)
        {
            await connection.CloseAsync(allowCommandsToComplete: false);
            connection.Dispose();
        }

        _slots.Dispose();
    }
}
