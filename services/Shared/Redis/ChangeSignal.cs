namespace SaliencySlider.Shared.Redis;

/// <summary>
/// A task that completes at the next <see cref="Signal"/> after it was taken. A waiter takes <see cref="Next"/>
/// before it looks at what it waits for, so a change between its look and its wait still wakes it.
/// </summary>
public sealed class ChangeSignal
{
    private readonly Lock _lock = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Next()
    {
        lock (_lock)
        {
            return _changed.Task;
        }
    }

    public void Signal()
    {
        TaskCompletionSource signalled;
        lock (_lock)
        {
            signalled = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        signalled.TrySetResult();
    }
}
