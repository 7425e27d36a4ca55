using System.Runtime.CompilerServices;

namespace TransactionPipeline.Testing;

/// <summary>A store that keeps everything in process memory: for tests and demos, never for real data.</summary>
/// <remarks>One lock guards all state; the raw rows of a job grow with its input, so large files need a real store.</remarks>
public sealed class InMemoryStore : IJobStore, ITransactionStore, IResultStore, IWebhookStore, IIdempotencyStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _jobs = new(StringComparer.Ordinal);
    private readonly Dictionary<DateOnly, long> _lastNumbers = [];
    private readonly Dictionary<string, List<TransactionRecord>> _rows = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JobResult> _results = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (WebhookSubscription Subscription, bool Finished)> _webhooks = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Scope, string Key), IdempotencyRecord> _keys = [];
    private readonly Dictionary<string, (string Holder, DateTimeOffset ExpiresAt)> _leases = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public ValueTask<long> ReserveJobNumberAsync(DateOnly day, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var number = _lastNumbers.GetValueOrDefault(day) + 1;
            _lastNumbers[day] = number;
            return ValueTask.FromResult(number);
        }
    }

    /// <inheritdoc/>
    public ValueTask<JobStatus> CreateAsync(NewJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        lock (_lock)
        {
            var entry = new Entry(job.Status, job.OwnerId);
            if (!_jobs.TryAdd(job.Status.JobId, entry))
            {
                throw new InvalidOperationException($"Job '{job.Status.JobId}' already exists.");
            }

            entry.Events.Add(new JobEvent(1, job.EventType, job.Status.UpdatedAt, job.Status));
            return ValueTask.FromResult(job.Status);
        }
    }

    /// <inheritdoc/>
    public ValueTask<JobStatus?> FindAsync(string jobId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_jobs.TryGetValue(jobId, out var entry) ? entry.Status : null);
        }
    }

    /// <inheritdoc/>
    public ValueTask<JobUpdateResult> UpdateAsync(JobUpdate update, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);
        lock (_lock)
        {
            if (_jobs.GetValueOrDefault(update.Status.JobId) is not { } entry)
            {
                return ValueTask.FromResult(JobUpdateResult.NotFound);
            }

            if (entry.Status.IsTerminal)
            {
                return ValueTask.FromResult(JobUpdateResult.Terminal);
            }

            if (entry.Owner != update.OwnerId)
            {
                return ValueTask.FromResult(JobUpdateResult.LeaseLost);
            }

            entry.Status = update.Status with { Tenant = entry.Status.Tenant };
            if (update.EventType is null)
            {
                return ValueTask.FromResult(JobUpdateResult.Updated(null));
            }

            var jobEvent = new JobEvent(entry.Events.Count + 1, update.EventType, update.Status.UpdatedAt, update.Status);
            entry.Events.Add(jobEvent);
            return ValueTask.FromResult(JobUpdateResult.Updated(jobEvent));
        }
    }

    /// <inheritdoc/>
    public ValueTask SaveConfigurationAsync(string jobId, PipelineConfiguration configuration, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _jobs[jobId].Configuration = configuration;
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask<PipelineConfiguration?> FindConfigurationAsync(string jobId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_jobs.GetValueOrDefault(jobId)?.Configuration);
        }
    }

    /// <inheritdoc/>
    public ValueTask<bool> TryClaimAsync(JobClaim claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        lock (_lock)
        {
            if (!_jobs.TryGetValue(claim.JobId, out var entry) || entry.Status.IsTerminal
                || (entry.Owner != claim.OwnerId && entry.Status.UpdatedAt >= claim.StaleBefore))
            {
                return ValueTask.FromResult(false);
            }

            entry.Owner = claim.OwnerId;
            entry.Status = entry.Status with { UpdatedAt = claim.ClaimedAt };
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc/>
    public ValueTask<JobUpdateOutcome> RequestCancellationAsync(string jobId, string requestedBy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        ArgumentNullException.ThrowIfNull(requestedBy);
        lock (_lock)
        {
            if (_jobs.GetValueOrDefault(jobId) is not { } entry)
            {
                return ValueTask.FromResult(JobUpdateOutcome.NotFound);
            }

            if (entry.Status.IsTerminal)
            {
                return ValueTask.FromResult(JobUpdateOutcome.Terminal);
            }

            entry.CancelRequestedBy = requestedBy;
            return ValueTask.FromResult(JobUpdateOutcome.Updated);
        }
    }

    /// <inheritdoc/>
    public ValueTask<bool> DeleteAsync(string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        lock (_lock)
        {
            return ValueTask.FromResult(_jobs.GetValueOrDefault(jobId) is { Status.IsTerminal: true } && _jobs.Remove(jobId));
        }
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<JobCancellationRequest>> ListCancellationRequestsAsync(string ownerId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            IReadOnlyList<JobCancellationRequest> requests = _jobs
                .Where(j => j.Value.Owner == ownerId && !j.Value.Status.IsTerminal && j.Value.CancelRequestedBy is not null)
                .Select(j => new JobCancellationRequest(j.Key, j.Value.CancelRequestedBy!))
                .ToList();
            return ValueTask.FromResult(requests);
        }
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<JobStatus>> ListAsync(JobQuery query, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var after = query.TryGetPosition(out var createdAt, out var jobId);
        lock (_lock)
        {
            IReadOnlyList<JobStatus> page = _jobs.Values.Select(e => e.Status)
                .Where(s => query.State is not { } state || s.State == state)
                .Where(s => query.Tenant is not { } tenant || s.Tenant == tenant)
                .Where(s => query.CreatedAfter is not { } since || s.CreatedAt > since)
                .Where(s => query.CreatedBefore is not { } until || s.CreatedAt < until)
                .Where(s => !after || s.CreatedAt < createdAt || (s.CreatedAt == createdAt && string.CompareOrdinal(s.JobId, jobId) < 0))
                .OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.JobId, StringComparer.Ordinal)
                .Take(limit)
                .ToList();
            return ValueTask.FromResult(page);
        }
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<JobStatus>> ListUnfinishedAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            IReadOnlyList<JobStatus> unfinished = _jobs.Values.Select(e => e.Status).Where(s => !s.IsTerminal).OrderBy(s => s.CreatedAt).ToList();
            return ValueTask.FromResult(unfinished);
        }
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<JobEvent>> ReadEventsAsync(string jobId, long afterSequence, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            IReadOnlyList<JobEvent> events = _jobs.TryGetValue(jobId, out var entry)
                ? entry.Events.Where(e => e.Sequence > afterSequence).ToList()
                : [];
            return ValueTask.FromResult(events);
        }
    }

    /// <inheritdoc/>
    public ValueTask AppendAsync(string jobId, TransactionBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        lock (_lock)
        {
            if (!_rows.TryGetValue(jobId, out var rows))
            {
                rows = [];
                _rows.Add(jobId, rows);
            }

            rows.AddRange(batch.Items.Span);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<TransactionRecord> ReadAsync(string jobId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        TransactionRecord[] rows;
        lock (_lock)
        {
            rows = _rows.TryGetValue(jobId, out var stored) ? [.. stored] : [];
        }

        foreach (var row in rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return row;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    ValueTask<IReadOnlyList<string>> ITransactionStore.ListStoredJobsAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult<IReadOnlyList<string>>([.. _rows.Keys]);
        }
    }

    /// <inheritdoc/>
    ValueTask ITransactionStore.DeleteAsync(string jobId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _rows.Remove(jobId);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask<bool> SaveAsync(JobResult result, string? ownerId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        lock (_lock)
        {
            if (ownerId is not null
                && (_jobs.GetValueOrDefault(result.JobId) is not { } entry || entry.Status.IsTerminal || entry.Owner != ownerId))
            {
                return ValueTask.FromResult(false);
            }

            _results[result.JobId] = result;
        }

        return ValueTask.FromResult(true);
    }

    ValueTask<JobResult?> IResultStore.FindAsync(string jobId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_results.GetValueOrDefault(jobId));
        }
    }

    ValueTask IResultStore.DeleteAsync(string jobId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _results.Remove(jobId);
        }

        return ValueTask.CompletedTask;
    }

    ValueTask IWebhookStore.SaveAsync(WebhookSubscription subscription, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        lock (_lock)
        {
            _webhooks[subscription.Id] = (subscription, false);
        }

        return ValueTask.CompletedTask;
    }

    ValueTask IWebhookStore.DeleteForJobAsync(string jobId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            foreach (var id in _webhooks.Where(w => w.Value.Subscription.JobId == jobId).Select(w => w.Key).ToList())
            {
                _webhooks.Remove(id);
            }
        }

        return ValueTask.CompletedTask;
    }

    ValueTask<IReadOnlyList<WebhookSubscription>> IWebhookStore.ListUnfinishedAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            IReadOnlyList<WebhookSubscription> unfinished = _webhooks.Values
                .Where(w => !w.Finished).Select(w => w.Subscription).OrderBy(w => w.CreatedAt).ToList();
            return ValueTask.FromResult(unfinished);
        }
    }

    ValueTask IWebhookStore.MarkDeliveredAsync(string subscriptionId, long sequence, bool finished, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_webhooks.TryGetValue(subscriptionId, out var entry))
            {
                _webhooks[subscriptionId] = (entry.Subscription with { DeliveredThrough = Math.Max(sequence, entry.Subscription.DeliveredThrough) }, finished || entry.Finished);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask<bool> TryAcquireLeaseAsync(string name, string holder, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(holder);
        lock (_lock)
        {
            if (_leases.TryGetValue(name, out var lease) && lease.Holder != holder && lease.ExpiresAt > now)
            {
                return ValueTask.FromResult(false);
            }

            _leases[name] = (holder, now + duration);
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc/>
    ValueTask<IdempotencyRecord> IIdempotencyStore.TryAddAsync(IdempotencyRecord record, DateTimeOffset expiredBefore, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_lock)
        {
            var key = (record.Scope, record.Key);
            if (_keys.TryGetValue(key, out var holder) && holder.CreatedAt >= expiredBefore)
            {
                return ValueTask.FromResult(holder);
            }

            _keys[key] = record;
            return ValueTask.FromResult(record);
        }
    }

    /// <inheritdoc/>
    ValueTask<bool> IIdempotencyStore.UpdateAsync(IdempotencyRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_lock)
        {
            var key = (record.Scope, record.Key);
            if (!_keys.TryGetValue(key, out var current) || current.Token != record.Token)
            {
                return ValueTask.FromResult(false);
            }

            _keys[key] = current with { JobId = record.JobId, Fingerprint = record.Fingerprint };
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc/>
    ValueTask<bool> IIdempotencyStore.RemoveAsync(IdempotencyRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_lock)
        {
            var key = (record.Scope, record.Key);
            return ValueTask.FromResult(_keys.TryGetValue(key, out var current) && current.Token == record.Token && _keys.Remove(key));
        }
    }

    /// <inheritdoc/>
    ValueTask<int> IIdempotencyStore.RemoveExpiredAsync(DateTimeOffset createdBefore, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var expired = _keys.Where(pair => pair.Value.CreatedAt < createdBefore).Select(pair => pair.Key).ToList();
            expired.ForEach(key => _keys.Remove(key));
            return ValueTask.FromResult(expired.Count);
        }
    }

    private sealed class Entry(JobStatus status, string owner)
    {
        public JobStatus Status { get; set; } = status;

        public string Owner { get; set; } = owner;

        public PipelineConfiguration? Configuration { get; set; }

        public string? CancelRequestedBy { get; set; }

        public List<JobEvent> Events { get; } = [];
    }
}
