
namespace TransactionPipeline.Worker;

/// <summary>A job whose import finished, with the totals gathered on the way when this instance imported it.</summary>
/// <param name="Status">The job as it was after its import (or as recovery found it).</param>
/// <param name="Configuration">The request's configuration, or <see langword="null"/> to read it from the store.</param>
/// <param name="Totals">The per-date totals, or <see langword="null"/> to rebuild them from the stored rows.</param>
internal sealed record QueuedJob(JobStatus Status, PipelineConfiguration? Configuration, DailyTotals? Totals)
{
    /// <summary>Gets the job's span, which the span of its stages is a child of: from the stored trace context; default when none was traced.</summary>
    public System.Diagnostics.ActivityContext TraceParent =>
        System.Diagnostics.ActivityContext.TryParse(Configuration?.TraceParent, null, out var context) ? context : default;
}
