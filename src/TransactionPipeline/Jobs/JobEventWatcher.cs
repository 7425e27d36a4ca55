using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;

namespace TransactionPipeline.Jobs;

/// <summary>Streams a job's events as they are appended: read from the event log, woken by this process's writes, polled for other hosts'.</summary>
internal sealed class JobEventWatcher(IJobStore jobs, IJobEventLog events, JobEventNotifier notifier, IOptions<TransactionPipelineOptions> options, TimeProvider time)
{
    private readonly TimeSpan _pollInterval = options.Value.EventPollInterval;

    public async IAsyncEnumerable<JobEvent> WatchAsync(string jobId, long afterSequence, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (await jobs.FindAsync(jobId, cancellationToken).ConfigureAwait(false) is null)
        {
            yield break;
        }

        using var subscription = notifier.Subscribe(jobId);
        while (true)
        {
            // Take the wake-up task before reading, so an event appended in between is not missed.
            var wake = subscription.NextEvent;
            var batch = await events.ReadEventsAsync(jobId, afterSequence, cancellationToken).ConfigureAwait(false);
            foreach (var jobEvent in batch)
            {
                afterSequence = jobEvent.Sequence;
                yield return jobEvent;
                if (JobEventTypes.IsTerminal(jobEvent.EventType))
                {
                    yield break;
                }
            }

            using var delayCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = Task.Delay(_pollInterval, time, delayCancellation.Token);
            await Task.WhenAny(wake, delay).ConfigureAwait(false);
            await delayCancellation.CancelAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }
}
