using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TransactionPipeline.Parsing;

namespace TransactionPipeline.Engine;

/// <summary>The pipeline: owns the stage wiring, the job life cycle and the background queue.</summary>
internal sealed partial class DefaultPipeline : IPipeline
{
    private readonly TransactionPipelineOptions _options;
    private readonly IJobStore _jobs;
    private readonly ITransactionStore _transactions;
    private readonly IResultStore _results;
    private readonly ICreditModel _creditModel;
    private readonly IOfferStrategy _offerStrategy;
    private readonly ITransactionStage[] _transactionStages;
    private readonly IResultStage[] _resultStages;
    private readonly TimeProvider _time;
    private readonly JobEventNotifier _notifier;
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _active = new(StringComparer.Ordinal);
    private readonly Channel<QueuedJob> _queue;

    public DefaultPipeline(
        IOptions<TransactionPipelineOptions> options,
        IJobStore jobs,
        ITransactionStore transactions,
        IResultStore results,
        ICreditModel creditModel,
        IOfferStrategy offerStrategy,
        IEnumerable<ITransactionStage> transactionStages,
        IEnumerable<IResultStage> resultStages,
        TimeProvider time,
        JobEventNotifier notifier)
    {
        // Reading Value validates the options even without a host that validates on start.
        _options = options.Value;
        _jobs = jobs;
        _transactions = transactions;
        _results = results;
        _creditModel = creditModel;
        _offerStrategy = offerStrategy;
        _transactionStages = transactionStages.ToArray();
        _resultStages = resultStages.ToArray();
        _time = time;
        _notifier = notifier;
        _queue = Channel.CreateBounded<QueuedJob>(new BoundedChannelOptions(1_024) { FullMode = BoundedChannelFullMode.Wait });
    }

    /// <summary>Gets the id this instance writes as the owner of the jobs it runs.</summary>
    public string InstanceId { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    public static DefaultPipeline Create(IServiceProvider services)
    {
        if (services.GetService<IJobStore>() is null || services.GetService<ITransactionStore>() is null || services.GetService<IResultStore>() is null)
        {
            throw new InvalidOperationException(
                "The transaction pipeline has no store. Call UseSqlite(\"Data Source=jobs.db\") or UsePostgreSql(connectionString) "
                + "on the builder that AddTransactionPipeline() returns (or UseInMemoryStorage() for tests).");
        }

        return ActivatorUtilities.CreateInstance<DefaultPipeline>(services);
    }

    public async Task<JobStatus> RunAsync(PipelineInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (status, imported) = await ImportAsync(input, cancellationToken).ConfigureAwait(false);
        return imported is null ? status : await RunStagesAsync(imported, cancellationToken).ConfigureAwait(false);
    }

    public async Task<JobStatus> SubmitAsync(PipelineInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (status, imported) = await ImportAsync(input, cancellationToken).ConfigureAwait(false);
        if (imported is not null)
        {
            // The job stays in _active while queued, so the lease keeps being refreshed and recovery leaves it alone.
            _active.TryAdd(status.JobId, new CancellationTokenSource());
            await _queue.Writer.WriteAsync(imported, CancellationToken.None).ConfigureAwait(false);
        }

        return status;
    }

    public async Task<JobStatus?> GetStatusAsync(string jobId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        return await _jobs.FindAsync(jobId, cancellationToken).ConfigureAwait(false);
    }

    public async Task<JobResult?> GetResultAsync(string jobId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        var status = await _jobs.FindAsync(jobId, cancellationToken).ConfigureAwait(false);
        return status?.State == JobState.JobComplete
            ? await _results.FindAsync(jobId, cancellationToken).ConfigureAwait(false)
            : null;
    }

    public async IAsyncEnumerable<JobEvent> WatchAsync(
        string jobId, long afterSequence, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        if (await _jobs.FindAsync(jobId, cancellationToken).ConfigureAwait(false) is null)
        {
            yield break;
        }

        while (true)
        {
            // Take the wake-up task before reading, so an event appended in between is not missed.
            var wake = _notifier.WaitAsync(jobId);
            var events = await _jobs.ReadEventsAsync(jobId, afterSequence, cancellationToken).ConfigureAwait(false);
            foreach (var jobEvent in events)
            {
                afterSequence = jobEvent.Sequence;
                yield return jobEvent;
                if (JobEventTypes.IsTerminal(jobEvent.EventType))
                {
                    yield break;
                }
            }

            using var delayCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = Task.Delay(_options.EventPollInterval, _time, delayCancellation.Token);
            await Task.WhenAny(wake, delay).ConfigureAwait(false);
            await delayCancellation.CancelAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    public async Task<JobStatus> WaitForCompletionAsync(string jobId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        await foreach (var jobEvent in WatchAsync(jobId, 0, cancellationToken).ConfigureAwait(false))
        {
            if (JobEventTypes.IsTerminal(jobEvent.EventType))
            {
                break;
            }
        }

        var status = await _jobs.FindAsync(jobId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"Job '{jobId}' was not found.");
        return status;
    }

    public async Task<bool> CancelAsync(string jobId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        if (!_active.TryGetValue(jobId, out var cancellation))
        {
            return false;
        }

        await cancellation.CancelAsync().ConfigureAwait(false);
        return true;
    }

    private DateTimeOffset Now => _time.GetUtcNow();

    private async Task<JobStatus> UpdateAsync(JobStatus status, string? eventType, CancellationToken cancellationToken)
    {
        await _jobs.UpdateAsync(new JobUpdate(status, InstanceId, eventType), cancellationToken).ConfigureAwait(false);
        if (eventType is not null)
        {
            _notifier.Notify(status.JobId);
        }

        return status;
    }

    private async Task<JobStatus> FailAsync(JobStatus status, JobError error)
    {
        // Cleanup must finish even when the job's own token has fired: nothing of a failed job stays visible.
        await _transactions.DeleteAsync(status.JobId, CancellationToken.None).ConfigureAwait(false);
        await _results.DeleteAsync(status.JobId, CancellationToken.None).ConfigureAwait(false);
        var now = Now;
        var failed = status with { State = JobState.Failed, Error = error, UpdatedAt = now, CompletedAt = now };
        return await UpdateAsync(failed, JobEventTypes.Failed, CancellationToken.None).ConfigureAwait(false);
    }

    private static JobError ToError(Exception exception, CancellationToken callerToken) => exception switch
    {
        InvalidInputException invalid => invalid.Error,
        OperationCanceledException when callerToken.IsCancellationRequested =>
            new JobError(JobErrorKind.Cancelled, "The job was cancelled by its caller."),
        OperationCanceledException => new JobError(JobErrorKind.Cancelled, "The job was cancelled."),
        _ => new JobError(JobErrorKind.StageFailed, $"{exception.GetType().Name}: {exception.Message}"),
    };

    /// <summary>A job whose import finished, with the totals gathered on the way when this instance imported it.</summary>
    private sealed record QueuedJob(JobStatus Status, PipelineConfiguration? Configuration, DailyTotals? Totals);
}
