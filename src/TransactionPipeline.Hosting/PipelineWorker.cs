using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace TransactionPipeline.Hosting;

/// <summary>Owns the pipeline's background work for the lifetime of the host.</summary>
/// <remarks>
/// Runs <see cref="IPipelineWorker.ProcessJobsAsync"/>, which resumes jobs interrupted after their import,
/// fails jobs interrupted during it, and runs the stages of jobs that <see cref="IPipeline.SubmitAsync"/> queued.
/// </remarks>
internal sealed partial class PipelineWorker(IPipelineWorker worker, ILogger<PipelineWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogStarted(logger);
        try
        {
            await worker.ProcessJobsAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            LogCrashed(logger, ex);
            throw;
        }

        LogStopped(logger);
    }

    [LoggerMessage(1, LogLevel.Information, "Transaction pipeline worker started.")]
    private static partial void LogStarted(ILogger logger);

    [LoggerMessage(2, LogLevel.Information, "Transaction pipeline worker stopped; unfinished jobs stay resumable.")]
    private static partial void LogStopped(ILogger logger);

    [LoggerMessage(3, LogLevel.Critical, "Transaction pipeline worker stopped on an error.")]
    private static partial void LogCrashed(ILogger logger, Exception exception);
}
