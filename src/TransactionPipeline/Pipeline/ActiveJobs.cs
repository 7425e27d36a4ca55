using System.Collections.Concurrent;

namespace TransactionPipeline.Pipeline;

/// <summary>The jobs this instance holds right now (importing, queued or running), each with the source that cancels it.</summary>
/// <remarks>
/// Recovery refreshes the leases of these jobs and leaves them alone otherwise. An entry lives only while the job does:
/// it is removed when the job's run ends, so the size is bounded by the jobs in flight, not by every job ever seen.
/// </remarks>
internal sealed class ActiveJobs
{
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _jobs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _cancelledBy = new(StringComparer.Ordinal);

    public int Count => _jobs.Count;

    public bool Contains(string jobId) => _jobs.ContainsKey(jobId);

    /// <summary>Holds a job whose run is cancelled through <paramref name="cancellation"/>, replacing any earlier entry.</summary>
    public void Hold(string jobId, CancellationTokenSource cancellation) => _jobs[jobId] = cancellation;

    /// <summary>Holds a queued job, unless it is held already.</summary>
    public void HoldQueued(string jobId) => _jobs.TryAdd(jobId, new CancellationTokenSource());

    /// <summary>Gets the source that cancels a job's run, holding the job when it is not held yet.</summary>
    public CancellationTokenSource Get(string jobId) => _jobs.GetOrAdd(jobId, static _ => new CancellationTokenSource());

    /// <summary>Releases a job; disposes its source when <paramref name="dispose"/> (the caller did not create it itself).</summary>
    public void Release(string jobId, bool dispose)
    {
        _cancelledBy.TryRemove(jobId, out _);
        if (_jobs.TryRemove(jobId, out var removed) && dispose)
        {
            removed.Dispose();
        }
    }

    /// <summary>Gets who cancelled a job this instance holds, or <see langword="null"/> when nobody did.</summary>
    public string? CancelledBy(string jobId) => _cancelledBy.GetValueOrDefault(jobId);

    /// <summary>Cancels a job this instance holds, on behalf of <paramref name="requestedBy"/>.</summary>
    /// <returns><see langword="true"/> when the job was held here.</returns>
    public async Task<bool> CancelAsync(string jobId, string requestedBy)
    {
        if (!_jobs.TryGetValue(jobId, out var cancellation))
        {
            return false;
        }

        if (!_cancelledBy.TryAdd(jobId, requestedBy))
        {
            return true;
        }

        try
        {
            await cancellation.CancelAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // The run ended between the look-up and the cancel: nothing is left to stop.
        }

        return true;
    }
}
