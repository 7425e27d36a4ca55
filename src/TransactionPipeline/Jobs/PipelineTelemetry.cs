using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace TransactionPipeline.Jobs;

/// <summary>
/// The pipeline's metrics and traces, named after the package (<c>TransactionPipeline</c>): one <see cref="Meter"/> per
/// service provider, from its <see cref="IMeterFactory"/> when the host registered one, and one <see cref="ActivitySource"/>.
/// </summary>
/// <remarks>Names and units follow the OpenTelemetry semantic-convention style; <c>docs/observability.md</c> lists them.</remarks>
internal sealed class PipelineTelemetry : IDisposable
{
    public const string Name = "TransactionPipeline";

    /// <summary>Gets the source of the pipeline's spans: one per job, and one per stage under it.</summary>
    public static ActivitySource Source { get; } = new(Name, typeof(PipelineTelemetry).Assembly.GetName().Version?.ToString());

    private readonly bool _ownsMeter;
    private readonly Counter<long> _started;
    private readonly Counter<long> _completed;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _transactions;
    private readonly Counter<long> _bytes;
    private readonly Counter<long> _takeovers;
    private readonly Histogram<double> _stageDuration;

    public PipelineTelemetry(IServiceProvider services, ActiveJobs active, JobQueue queue)
    {
        var factory = services.GetService<IMeterFactory>();
        _ownsMeter = factory is null;
        Meter = factory?.Create(Name) ?? new Meter(Name);
        _started = Meter.CreateCounter<long>("transaction_pipeline.jobs.started", "{job}", "Jobs created by this instance.");
        _completed = Meter.CreateCounter<long>("transaction_pipeline.jobs.completed", "{job}", "Jobs this instance completed.");
        _failed = Meter.CreateCounter<long>("transaction_pipeline.jobs.failed", "{job}", "Jobs this instance failed; tag error.type is the error kind.");
        _transactions = Meter.CreateCounter<long>("transaction_pipeline.transactions.imported", "{transaction}", "Transactions read, validated and stored (or summed).");
        _bytes = Meter.CreateCounter<long>("transaction_pipeline.input.read", "By", "Bytes of input consumed.");
        _takeovers = Meter.CreateCounter<long>("transaction_pipeline.lease.takeovers", "{job}", "Jobs taken over from an owner that went silent.");
        _stageDuration = Meter.CreateHistogram<double>(
            "transaction_pipeline.stage.duration", "s", "How long a job's stage took; tag transaction_pipeline.stage.");
        Meter.CreateObservableUpDownCounter("transaction_pipeline.jobs.in_progress", () => (long)active.Count, "{job}", "Jobs this instance holds: importing, queued or running.");
        Meter.CreateObservableGauge("transaction_pipeline.queue.length", () => (long)queue.Reader.Count, "{job}", "Imported jobs waiting for a queue runner.");
    }

    public Meter Meter { get; }

    public void JobStarted() => _started.Add(1);

    public void JobCompleted() => _completed.Add(1);

    public void JobFailed(JobErrorKind kind) => _failed.Add(1, new KeyValuePair<string, object?>("error.type", KindName(kind)));

    public void Imported(long transactions, long bytes)
    {
        if (transactions > 0)
        {
            _transactions.Add(transactions);
        }

        if (bytes > 0)
        {
            _bytes.Add(bytes);
        }
    }

    public void StageTook(string stage, TimeSpan duration) =>
        _stageDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("transaction_pipeline.stage", stage));

    public void TakenOver() => _takeovers.Add(1);

    /// <summary>The kind as the API writes it: <c>store_unavailable</c> for <see cref="JobErrorKind.StoreUnavailable"/>.</summary>
    public static string KindName(JobErrorKind kind) =>
        string.Concat(kind.ToString().Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : string.Empty) + char.ToLowerInvariant(c) : c.ToString()));

    /// <summary>Marks a span failed with the job's error.</summary>
    public static void Failed(Activity? activity, JobError error)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag("error.type", KindName(error.Kind));
        activity.SetStatus(ActivityStatusCode.Error, error.Message);
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            Meter.Dispose();
        }
    }
}
