
namespace TransactionPipeline.Worker;

/// <summary>A job whose import finished, with the totals gathered on the way when this instance imported it.</summary>
/// <param name="Status">The job as it was after its import (or as recovery found it).</param>
/// <param name="Configuration">The request's configuration, or <see langword="null"/> to read it from the store.</param>
/// <param name="Totals">The per-date totals, or <see langword="null"/> to rebuild them from the stored rows.</param>
internal sealed record QueuedJob(JobStatus Status, PipelineConfiguration? Configuration, DailyTotals? Totals)
{
    /// <summary>Gets the job's span (the import's parent), which the span of its later stages is a child of; default when none was traced.</summary>
    public System.Diagnostics.ActivityContext TraceParent { get; init; }
}
