using TransactionPipeline;

namespace QuickStart;

/// <summary>
/// For trying crash recovery by hand (<c>--hold-after-import</c>): stops a job after its import and scoring,
/// before its results are stored, so the process can be killed and <c>resume</c> run.
/// </summary>
internal sealed class HoldStage : IResultStage
{
    public async ValueTask ProcessAsync(ResultStageContext context, CancellationToken cancellationToken)
    {
        Console.WriteLine($"Holding job {context.JobId} after its import (pid {Environment.ProcessId}); kill this process, then run resume.");
        await Task.Delay(Timeout.Infinite, cancellationToken);
    }
}
