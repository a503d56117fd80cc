namespace SaliencySlider.Engine.Explaining;

/// <summary>
/// Gathers classifier runs of concurrent jobs into one run: a batch starts when its requests reach
/// <c>capacity</c> images, when every job that could join has joined (<c>participants</c>), or <c>maxWait</c>
/// after its first request, whichever comes first. Requests with different keys never share a run.
/// </summary>
internal sealed class RunBatcher<TKey, TRequest, TResult>(
    Func<TKey, IReadOnlyList<TRequest>, IReadOnlyList<TResult>> run,
    Func<TRequest, int> weight,
    int capacity,
    TimeSpan maxWait,
    Func<int> participants,
    TimeProvider time)
    where TKey : notnull
{
    private readonly Lock _gate = new();
    private readonly Dictionary<TKey, Pending> _pending = [];

    public Task<TResult> RunAsync(TKey key, TRequest request, CancellationToken ct)
    {
        var item = new PendingItem(request, new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        var ready = new List<Pending>(2);
        lock (_gate)
        {
            var size = weight(request);
            if (_pending.TryGetValue(key, out var current) && current.Weight + size > capacity)
            {
                ready.Add(Take(key));
            }
            if (!_pending.TryGetValue(key, out current))
            {
                current = new Pending(key);
                _pending[key] = current;
                var batch = current;
                current.Timer = time.CreateTimer(_ => Flush(batch), null, maxWait, Timeout.InfiniteTimeSpan);
            }
            current.Items.Add(item);
            current.Weight += size;
            if (current.Weight >= capacity || current.Items.Count >= participants())
            {
                ready.Add(Take(key));
            }
        }
        foreach (var batch in ready)
        {
            _ = Task.Run(() => Execute(batch), CancellationToken.None);
        }
        return item.Completion.Task.WaitAsync(ct);
    }

    private void Flush(Pending batch)
    {
        lock (_gate)
        {
            if (!_pending.TryGetValue(batch.Key, out var current) || current != batch)
            {
                return;
            }
            Take(batch.Key);
        }
        Execute(batch);
    }

    private Pending Take(TKey key)
    {
        var batch = _pending[key];
        _pending.Remove(key);
        batch.Timer?.Dispose();
        return batch;
    }

    private void Execute(Pending batch)
    {
        try
        {
            var results = run(batch.Key, batch.Items.Select(i => i.Request).ToList());
            for (var i = 0; i < batch.Items.Count; i++)
            {
                batch.Items[i].Completion.TrySetResult(results[i]);
            }
        }
        catch (Exception e)
        {
            foreach (var item in batch.Items)
            {
                item.Completion.TrySetException(e);
            }
        }
    }

    private sealed record PendingItem(TRequest Request, TaskCompletionSource<TResult> Completion);

    private sealed class Pending(TKey key)
    {
        public TKey Key { get; } = key;
        public List<PendingItem> Items { get; } = [];
        public int Weight { get; set; }
        public ITimer? Timer { get; set; }
    }
}
