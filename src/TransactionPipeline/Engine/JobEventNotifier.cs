using System.Collections.Concurrent;

namespace TransactionPipeline.Engine;

/// <summary>Wakes this process's event subscribers as soon as a job of this process appends an event.</summary>
/// <remarks>Events written by other instances are found by polling the store; this only shortens the wait.</remarks>
internal sealed class JobEventNotifier
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiters = new(StringComparer.Ordinal);

    public Task WaitAsync(string jobId) =>
        _waiters.GetOrAdd(jobId, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Notify(string jobId)
    {
        if (_waiters.TryRemove(jobId, out var waiter))
        {
            waiter.TrySetResult();
        }
    }
}
