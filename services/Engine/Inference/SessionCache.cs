namespace SaliencySlider.Engine.Inference;

/// <summary>
/// Sessions built on demand and kept for reuse, at most <c>capacity</c> of them besides the pinned ones: when one more
/// is built, the least recently used ones go, each disposed as soon as no run holds it. A client chooses the target
/// layer, and every layer needs its own gradient graph and session (the model's weights, ONNX Runtime's prepacked
/// copies and its arena: about 37 MiB each for the default MobileNetV2, over 330 MiB for ViT-B/16), so without the
/// bound a client going through a model's layers grew the worker until the kernel killed it.
/// </summary>
internal sealed class SessionCache<TKey, TSession>(int capacity, Func<TKey, TSession> build, Func<TKey, bool> pinned) : IDisposable
    where TKey : notnull
    where TSession : class, IDisposable
{
    private readonly int capacity = capacity >= 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "The number of sessions kept cannot be negative.");
    private readonly Lock gate = new();
    private readonly Dictionary<TKey, Entry> entries = [];
    private long clock;
    private bool disposed;

    /// <summary>Sessions held now, in use or not (pinned ones included).</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return entries.Count;
            }
        }
    }

    /// <summary>
    /// The session for <paramref name="key"/>, built on first use (concurrent callers of one key build it once, and
    /// other keys do not wait for it); the lease keeps it from being disposed until the lease is.
    /// </summary>
    public Lease Acquire(TKey key)
    {
        Entry entry;
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (!entries.TryGetValue(key, out entry!))
            {
                entry = new Entry(key, new Lazy<TSession>(() => build(key), LazyThreadSafetyMode.ExecutionAndPublication));
                entries.Add(key, entry);
            }
            entry.Users++;
            entry.LastUsed = ++clock;
        }

        try
        {
            var session = entry.Session.Value;
            List<TSession> unused;
            lock (gate)
            {
                unused = EvictOverCapacity();
            }
            DisposeAll(unused);
            return new Lease(this, entry, session);
        }
        catch
        {
            lock (gate)
            {
                entry.Users--;
                // A key that cannot be built is not kept: the next caller gets the same error afresh.
                if (entries.TryGetValue(key, out var current) && current == entry)
                {
                    entries.Remove(key);
                }
            }
            throw;
        }
    }

    public void Dispose()
    {
        List<Entry> built;
        lock (gate)
        {
            if (disposed)
            {
                return;
            }
            disposed = true;
            built = [.. entries.Values.Where(e => e.Session.IsValueCreated)];
            entries.Clear();
        }
        foreach (var entry in built)
        {
            entry.Session.Value.Dispose();
        }
    }

    private void Release(Entry entry)
    {
        List<TSession> unused = [];
        lock (gate)
        {
            entry.Users--;
            if (entry.Evicted && entry.Users == 0)
            {
                unused.Add(entry.Session.Value);
            }
            else if (!disposed)
            {
                unused = EvictOverCapacity();
            }
        }
        DisposeAll(unused);
    }

    /// <summary>
    /// Drops the least recently used unpinned sessions that have been built, beyond the capacity, and returns those no
    /// run holds (to dispose outside the lock); one still running is disposed when its last lease ends.
    /// </summary>
    private List<TSession> EvictOverCapacity()
    {
        var unused = new List<TSession>();
        var unpinned = entries.Values.Where(e => !pinned(e.Key)).ToList();
        var excess = unpinned.Count - capacity;
        foreach (var entry in unpinned.Where(e => e.Session.IsValueCreated).OrderBy(e => e.LastUsed))
        {
            if (excess <= 0)
            {
                break;
            }
            entries.Remove(entry.Key);
            entry.Evicted = true;
            excess--;
            if (entry.Users == 0)
            {
                unused.Add(entry.Session.Value);
            }
        }
        return unused;
    }

    private static void DisposeAll(List<TSession> sessions)
    {
        foreach (var session in sessions)
        {
            session.Dispose();
        }
    }

    /// <summary>A session in use; disposing the lease hands it back.</summary>
    public sealed class Lease : IDisposable
    {
        private readonly SessionCache<TKey, TSession> owner;
        private readonly Entry entry;
        private int released;

        internal Lease(SessionCache<TKey, TSession> owner, Entry entry, TSession session)
        {
            this.owner = owner;
            this.entry = entry;
            Session = session;
        }

        public TSession Session { get; }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                owner.Release(entry);
            }
        }
    }

    internal sealed class Entry(TKey key, Lazy<TSession> session)
    {
        public TKey Key { get; } = key;
        public Lazy<TSession> Session { get; } = session;
        public int Users { get; set; }
        public long LastUsed { get; set; }
        public bool Evicted { get; set; }
    }
}
