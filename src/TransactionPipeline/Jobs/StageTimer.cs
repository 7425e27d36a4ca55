using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace TransactionPipeline.Jobs;

/// <summary>
/// The stages of one run, one after the other: each is a span (a child of the span current when it starts) and, when it
/// ends well, a <c>transaction_pipeline.stage.duration</c> measurement and a debug line of the log. One timer per run,
/// on the run's task.
/// </summary>
internal sealed class StageTimer(PipelineTelemetry telemetry, TimeProvider time, ILogger logger, string jobId) : IDisposable
{
    private Activity? _span;
    private string? _stage;
    private long _started;

    /// <summary>Ends the current stage, if any, and starts <paramref name="stage"/>.</summary>
    public void Next(string stage)
    {
        End(succeeded: true);
        _stage = stage;
        _started = time.GetTimestamp();
        _span = PipelineTelemetry.Source.StartActivity($"transaction_pipeline.{stage}");
        _span?.SetTag("transaction_pipeline.job.id", jobId);
    }

    /// <summary>Ends the current stage as failed with <paramref name="error"/>; it records no duration.</summary>
    public void Fail(JobError error)
    {
        PipelineTelemetry.Failed(_span, error);
        End(succeeded: false);
    }

    /// <summary>Ends the current stage well.</summary>
    public void Dispose() => End(succeeded: true);

    private void End(bool succeeded)
    {
        if (_stage is null)
        {
            return;
        }

        if (succeeded)
        {
            var took = time.GetElapsedTime(_started);
            telemetry.StageTook(_stage, took);
            PipelineLog.StageCompleted(logger, jobId, _stage, Math.Round(took.TotalSeconds, 3));
        }

        _span?.Dispose();
        (_span, _stage) = (null, null);
    }
}
