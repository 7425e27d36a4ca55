using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace QuickStart;

/// <summary>
/// The stage timings the pipeline reports itself: its spans (ActivitySource "TransactionPipeline"), read by an
/// in-process listener as any tracing backend would, not a stopwatch of this program's own.
/// </summary>
internal sealed class StageTimings : IDisposable
{
    private static readonly string[] Stages = ["import", "aggregate", "credit_model", "offers", "results"];
    private readonly ConcurrentQueue<Activity> _ended = new();
    private readonly ActivityListener _listener;

    public StageTimings()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "TransactionPipeline",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = _ended.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>The line for one job: each stage's span duration, in the order they ran; empty when none ended here.</summary>
    public string Describe(string jobId)
    {
        var spans = _ended.Where(a => (string?)a.GetTagItem("transaction_pipeline.job.id") == jobId).ToList();
        var parts = Stages
            .Select(stage => (stage, span: spans.LastOrDefault(a => a.OperationName == $"transaction_pipeline.{stage}")))
            .Where(s => s.span is not null)
            .Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.stage} {s.span!.Duration.TotalSeconds:0.00} s"))
            .ToList();
        return parts.Count == 0 ? string.Empty : $"Stage timings (from the job's spans): {string.Join(", ", parts)}.";
    }

    public void Dispose() => _listener.Dispose();
}
