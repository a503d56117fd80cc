using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Gradients;
using SaliencySlider.Engine.Inference;

namespace SaliencySlider.Engine.Tests.Inference;

/// <summary>
/// The gradient sessions a model keeps: built once per key, bounded by a capacity besides the pinned ones (the default
/// layer's), the least recently used dropped first, and never disposed while a run still holds it.
/// </summary>
public sealed class SessionCacheTests
{
    [Fact]
    public void A_key_is_built_once_and_its_session_reused()
    {
        var built = new List<FakeSession>();
        using var cache = NewCache(capacity: 2, built);

        using (var first = cache.Acquire("a"))
        using (var again = cache.Acquire("a"))
        {
            Assert.Same(first.Session, again.Session);
        }
        using var later = cache.Acquire("a");

        Assert.Single(built);
        Assert.Same(built[0], later.Session);
        Assert.False(built[0].Disposed);
    }

    [Fact]
    public void Past_the_capacity_the_least_recently_used_unpinned_session_is_disposed()
    {
        var built = new List<FakeSession>();
        using var cache = NewCache(capacity: 2, built);

        foreach (var key in new[] { "default", "a", "b", "a", "c" })
        {
            using var lease = cache.Acquire(key);
        }

        // "b" was used less recently than "a" when "c" came; the pinned default is not counted against the capacity.
        Assert.Equal(["default", "a", "b", "c"], built.Select(s => s.Key));
        Assert.Equal([false, false, true, false], built.Select(s => s.Disposed));
        Assert.Equal(3, cache.Count);
    }

    [Fact]
    public void A_session_dropped_while_a_run_holds_it_is_disposed_when_that_run_ends()
    {
        var built = new List<FakeSession>();
        using var cache = NewCache(capacity: 1, built);

        var running = cache.Acquire("a");
        using (cache.Acquire("b"))
        {
        }

        Assert.False(built[0].Disposed);
        Assert.Equal(1, cache.Count);
        running.Dispose();
        Assert.True(built[0].Disposed);
        running.Dispose();
        Assert.Equal(1, built[0].DisposeCount);

        // Asked for again, it is built afresh.
        using var again = cache.Acquire("a");
        Assert.NotSame(built[0], again.Session);
        Assert.Equal(3, built.Count);
    }

    [Fact]
    public void A_key_that_cannot_be_built_is_not_kept_and_fails_afresh_next_time()
    {
        var attempts = 0;
        using var cache = new SessionCache<string, FakeSession>(
            capacity: 2, key => { attempts++; throw new UnsupportedModelException($"no backward rule on the way to {key}"); }, _ => false);

        Assert.Throws<UnsupportedModelException>(() => cache.Acquire("x"));
        Assert.Throws<UnsupportedModelException>(() => cache.Acquire("x"));

        Assert.Equal(2, attempts);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Disposing_the_cache_disposes_every_session_it_built()
    {
        var built = new List<FakeSession>();
        var cache = NewCache(capacity: 4, built);
        using (cache.Acquire("default"))
        using (cache.Acquire("a"))
        {
        }

        cache.Dispose();

        Assert.All(built, s => Assert.Equal(1, s.DisposeCount));
        Assert.Throws<ObjectDisposedException>(() => cache.Acquire("a"));
    }

    [Fact]
    public void A_negative_capacity_is_refused()
        => Assert.Throws<ArgumentOutOfRangeException>(() => new SessionCache<string, FakeSession>(-1, key => new FakeSession(key), _ => false));

    [Fact]
    public void A_model_keeps_the_default_layers_session_and_at_most_the_configured_number_of_others()
    {
        var m = new OnnxModelBuilder(seed: 91);
        var x = m.Input("image", [3, 6, 6]);
        var layers = new List<string> { m.Node("Relu", [m.Stem(x, 3, 4)]) };
        for (var i = 0; i < 3; i++)
        {
            layers.Add(m.Node("Relu", [m.Conv(layers[^1], 4, 4, 3, Attr.Ints("pads", [1, 1, 1, 1]))]));
        }
        m.Output(m.ClassifierHead(layers[^1], 4 * 36, 5));
        using var model = ClassifierModel.Load(m.Build(), new ClassifierModelOptions { Provider = ExecutionProviderPreference.Cpu, GradientSessions = 1 });
        var input = new float[3 * 6 * 6];
        for (var i = 0; i < input.Length; i++)
        {
            input[i] = (i % 7) / 7f;
        }

        var first = model.ForwardWithGradients(input, 1, [-1], layers[0]);
        foreach (var layer in layers.Append(model.DefaultTargetLayer))
        {
            model.ForwardWithGradients(input, 1, [-1], layer);
            Assert.InRange(model.GradientSessionCount, 1, 2);
        }
        var rebuilt = model.ForwardWithGradients(input, 1, [-1], layers[0]);

        Assert.Equal(2, model.GradientSessionCount);
        Assert.Equal(first.Gradients, rebuilt.Gradients);
        Assert.Equal(first.Activations, rebuilt.Activations);
    }

    private static SessionCache<string, FakeSession> NewCache(int capacity, List<FakeSession> built)
        => new(capacity, key =>
        {
            var session = new FakeSession(key);
            built.Add(session);
            return session;
        }, key => key == "default");

    private sealed class FakeSession(string key) : IDisposable
    {
        public string Key { get; } = key;
        public int DisposeCount { get; private set; }
        public bool Disposed => DisposeCount > 0;

        public void Dispose() => DisposeCount++;
    }
}
