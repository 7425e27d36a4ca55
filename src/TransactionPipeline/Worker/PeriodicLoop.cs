using Microsoft.Extensions.Logging;
using TransactionPipeline.Jobs;

namespace TransactionPipeline.Worker;

/// <summary>The shape of the worker's background loops: a round, then a pause; a failed round is logged and the pause backs off.</summary>
/// <remarks>Only the stopping token ends a loop: no store fault can make it die silently.</remarks>
internal static class PeriodicLoop
{
    /// <param name="name">The loop's name in the failure log.</param>
    /// <param name="round">One round.</param>
    /// <param name="interval">The pause after a good round, read every round so options may change.</param>
    /// <param name="backoff">The pause after the given number of failed rounds in a row.</param>
    /// <param name="afterRound">Called after every round, good or failed.</param>
    /// <param name="time">The clock the pauses run on.</param>
    /// <param name="logger">Where failed rounds are logged.</param>
    /// <param name="stoppingToken">Ends the loop.</param>
    public static async Task RunAsync(
        string name,
        Func<CancellationToken, Task> round,
        Func<TimeSpan> interval,
        Func<int, TimeSpan> backoff,
        Action? afterRound,
        TimeProvider time,
        ILogger logger,
        CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var delay = interval();
            try
            {
                await round(stoppingToken).ConfigureAwait(false);
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                failures++;
                delay = backoff(failures);
                PipelineLog.LoopFailed(logger, name, delay, ex);
            }

            afterRound?.Invoke();
            try
            {
                await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
