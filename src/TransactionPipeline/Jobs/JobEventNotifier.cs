namespace TransactionPipeline.Jobs;

/// <summary>Wakes this process's event subscribers as soon as a job of this process appends an event.</summary>
/// <remarks>
/// Events written by other instances are found by polling the store; this only shortens the wait. A job has an entry
/// only while someone watches it: the last subscription to end removes it, so the size is bounded by live subscribers.
/// </remarks>
internal sealed class JobEventNotifier
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Gets how many jobs are watched right now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Starts watching a job; dispose the subscription when done.</summary>
    public Subscription Subscribe(string jobId)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(jobId, out var entry))
            {
                entry = new Entry();
                _entries.Add(jobId, entry);
            }

            entry.Subscribers++;
            return new Subscription(this, jobId, entry);
        }
    }

    public void Notify(string jobId)
    {
        TaskCompletionSource? signal = null;
        lock (_lock)
        {
            if (_entries.TryGetValue(jobId, out var entry))
            {
                signal = entry.Signal;
                entry.Signal = NewSignal();
            }
        }

        signal?.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Unsubscribe(string jobId, Entry entry)
    {
        lock (_lock)
        {
            if (--entry.Subscribers == 0)
            {
                _entries.Remove(jobId);
            }
        }
    }

    /// <summary>One watcher of one job.</summary>
    public sealed class Subscription : IDisposable
    {
        private readonly JobEventNotifier _owner;
        private readonly string _jobId;
        private readonly Entry _entry;
        private bool _disposed;

        internal Subscription(JobEventNotifier owner, string jobId, Entry entry) => (_owner, _jobId, _entry) = (owner, jobId, entry);

        /// <summary>Gets a task that completes at the next event; take it before reading, so an event in between is not missed.</summary>
        public Task NextEvent
        {
            get
            {
                lock (_owner._lock)
                {
                    // The signal is completed by Notify, never awaited with a context of its own: no deadlock to avoid.
#pragma warning disable VSTHRD003
                    return _entry.Signal.Task;
#pragma warning restore VSTHRD003
                }
            }
        }

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                _owner.Unsubscribe(_jobId, _entry);
            }
        }
    }

    internal sealed class Entry
    {
        public TaskCompletionSource Signal { get; set; } = NewSignal();

        public int Subscribers { get; set; }
    }
}
