using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using TransactionPipeline.Testing;

namespace TransactionPipeline.Tests.Worker;

/// <summary>A store that fails the first <c>failures</c> calls of each of its methods, then behaves like the in-memory store.</summary>
/// <remarks>Faults arrive where a real outage puts them: in the worker's loops, in the failure path, and in callers.</remarks>
internal sealed class FlakyStore(InMemoryStore inner, int failures) : IJobStore, ITransactionStore, IResultStore
{
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);

    private volatile bool _over;
    private volatile bool _down;

    public InMemoryStore Inner => inner;

    /// <summary>Ends the outage: faults a method has not thrown yet are never thrown, and a store taken down answers again.</summary>
    public void EndOutage()
    {
        _over = true;
        _down = false;
    }

    /// <summary>Gets or sets whether deleting a job's rows fails, and only that.</summary>
    public bool FailDeletes { get; set; }

    /// <summary>Takes the store down: every call fails until <see cref="EndOutage"/>.</summary>
    public void GoDown() => _down = true;

    /// <summary>Gets how many faults each method has thrown so far.</summary>
    public IReadOnlyDictionary<string, int> Faults => _calls.ToDictionary(c => c.Key, c => Math.Min(c.Value, failures));

    public ValueTask<long> ReserveJobNumberAsync(DateOnly day, CancellationToken cancellationToken) =>
        Faulting() ? ValueTask.FromException<long>(Outage()) : inner.ReserveJobNumberAsync(day, cancellationToken);

    public ValueTask<JobStatus> CreateAsync(NewJob job, CancellationToken cancellationToken) =>
        Faulting() ? ValueTask.FromException<JobStatus>(Outage()) : inner.CreateAsync(job, cancellationToken);

    public ValueTask<JobStatus?> FindAsync(string jobId, CancellationToken cancellationToken) =>
        Faulting("Find") ? ValueTask.FromException<JobStatus?>(Outage("Find")) : ((IJobStore)inner).FindAsync(jobId, cancellationToken);

    public ValueTask<JobUpdateResult> UpdateAsync(JobUpdate update, CancellationToken cancellationToken) =>
        Faulting() ? ValueTask.FromException<JobUpdateResult>(Outage()) : inner.UpdateAsync(update, cancellationToken);

    public ValueTask SaveConfigurationAsync(string jobId, PipelineConfiguration configuration, CancellationToken cancellationToken) =>
        Faulting() ? ValueTask.FromException(Outage()) : inner.SaveConfigurationAsync(jobId, configuration, cancellationToken);

    public ValueTask<PipelineConfiguration?> FindConfigurationAsync(string jobId, CancellationToken cancellationToken) =>
        Faulting() ? ValueTask.FromException<PipelineConfiguration?>(Outage()) : inner.FindConfigurationAsync(jobId, cancellationToken);

    public ValueTask<bool> TryClaimAsync(JobClaim claim, CancellationToken cancellationToken) =>
        Faulting() ? ValueTask.FromException<bool>(Outage()) : inner.TryClaimAsync(claim, cancellationToken);

    public ValueTask<JobUpdateOutcome> RequestCancellationAsync(string jobId, string requestedBy, CancellationToken cancellationToken) =>
        Faulting() ? ValueTask.FromException<JobUpdateOutcome>(Outage()) : inner.RequestCancellationAsync(jobId, requestedBy, cancellationToken);

    public ValueTask<IReadOnlyList<JobCancellationRequest>> ListCancellationRequestsAsync(string ownerId, CancellationToken cancellationToken) =>
        Faulting() ? ValueTask.FromException<IReadOnlyList<JobCancellationRequest>>(Outage()) : inner.ListCancellationRequestsAsync(ownerId, cancellationToken);

    public ValueTask<bool> DeleteAsync(string jobId, CancellationToken cancellationToken) =>
        Faulting() ? ValueTask.FromException<bool>(Outage()) : inner.DeleteAsync(jobId, cancellationToken);

    public ValueTask<IReadOnlyList<JobStatus>> ListAsync(JobQuery query, int limit, CancellationToken cancellationToken) =>
        Faulting() ? ValueTask.FromException<IReadOnlyList<JobStatus>>(Outage()) : inner.ListAsync(query, limit, cancellationToken);

    public ValueTask<bool> TryAcquireLeaseAsync(string name, string holder, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken) =>
        Faulting() ? ValueTask.FromException<bool>(Outage()) : inner.TryAcquireLeaseAsync(name, holder, now, duration, cancellationToken);

    public ValueTask<IReadOnlyList<JobStatus>> ListUnfinishedAsync(CancellationToken cancellationToken) =>
        Faulting() ? ValueTask.FromException<IReadOnlyList<JobStatus>>(Outage()) : inner.ListUnfinishedAsync(cancellationToken);

    public ValueTask<IReadOnlyList<JobEvent>> ReadEventsAsync(string jobId, long afterSequence, CancellationToken cancellationToken) =>
        Faulting() ? ValueTask.FromException<IReadOnlyList<JobEvent>>(Outage()) : inner.ReadEventsAsync(jobId, afterSequence, cancellationToken);

    public ValueTask AppendAsync(string jobId, TransactionBatch batch, CancellationToken cancellationToken) =>
        Faulting() ? ValueTask.FromException(Outage()) : inner.AppendAsync(jobId, batch, cancellationToken);

    public async IAsyncEnumerable<TransactionRecord> ReadAsync(string jobId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ThrowIfFaulting();
        await foreach (var row in inner.ReadAsync(jobId, cancellationToken).ConfigureAwait(false))
        {
            yield return row;
        }
    }

    ValueTask<IReadOnlyList<string>> ITransactionStore.ListStoredJobsAsync(CancellationToken cancellationToken) =>
        Faulting() ? ValueTask.FromException<IReadOnlyList<string>>(Outage()) : ((ITransactionStore)inner).ListStoredJobsAsync(cancellationToken);

    ValueTask ITransactionStore.DeleteAsync(string jobId, CancellationToken cancellationToken) =>
        FailDeletes || Faulting("DeleteRows") ? ValueTask.FromException(Outage("DeleteRows")) : ((ITransactionStore)inner).DeleteAsync(jobId, cancellationToken);

    public ValueTask<bool> SaveAsync(JobResult result, string? ownerId, CancellationToken cancellationToken) =>
        Faulting() ? ValueTask.FromException<bool>(Outage()) : inner.SaveAsync(result, ownerId, cancellationToken);

    ValueTask<JobResult?> IResultStore.FindAsync(string jobId, CancellationToken cancellationToken) =>
        Faulting("FindResult") ? ValueTask.FromException<JobResult?>(Outage("FindResult")) : ((IResultStore)inner).FindAsync(jobId, cancellationToken);

    ValueTask IResultStore.DeleteAsync(string jobId, CancellationToken cancellationToken) =>
        Faulting("DeleteResult") ? ValueTask.FromException(Outage("DeleteResult")) : ((IResultStore)inner).DeleteAsync(jobId, cancellationToken);

    private void ThrowIfFaulting([CallerMemberName] string method = "")
    {
        if (Faulting(method))
        {
            throw Outage(method);
        }
    }

    private bool Faulting([CallerMemberName] string method = "") =>
        _down || (!_over && _calls.AddOrUpdate(method, 1, (_, n) => n + 1) <= failures);

    private static InvalidOperationException Outage([CallerMemberName] string method = "") => new($"Injected store outage in {method}.");

    /// <summary>Recognises the injected outage as the store being unavailable, as a real store's classifier does its driver's errors.</summary>
    internal sealed class Classifier : IStoreErrorClassifier
    {
        public JobErrorKind? Classify(Exception exception) =>
            exception.Message.StartsWith("Injected store outage", StringComparison.Ordinal) ? JobErrorKind.StoreUnavailable : null;
    }
}
