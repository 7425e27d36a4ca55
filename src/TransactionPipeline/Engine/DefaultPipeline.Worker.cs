namespace TransactionPipeline.Engine;

internal sealed partial class DefaultPipeline
{
    public async Task ProcessJobsAsync(CancellationToken stoppingToken)
    {
        var runners = Enumerable.Range(0, _options.MaxConcurrentJobs).Select(_ => RunQueueAsync(stoppingToken)).ToList();
        runners.Add(RecoverAsync(stoppingToken));
        try
        {
            await Task.WhenAll(runners).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: jobs that were running stay resumable by the next instance.
        }
    }

    private async Task RunQueueAsync(CancellationToken stoppingToken)
    {
        await foreach (var job in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            await RunStagesAsync(job, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>Refreshes the leases of this instance's jobs and takes over jobs whose owner went silent.</summary>
    private async Task RecoverAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.RecoveryInterval, _time);
        do
        {
            var now = Now;
            foreach (var job in await _jobs.ListUnfinishedAsync(stoppingToken).ConfigureAwait(false))
            {
                if (_active.ContainsKey(job.JobId))
                {
                    await _jobs.TryClaimAsync(new JobClaim(job.JobId, InstanceId, now, DateTimeOffset.MinValue), stoppingToken).ConfigureAwait(false);
                    continue;
                }

                var claim = new JobClaim(job.JobId, InstanceId, now, now - _options.JobLeaseTimeout);
                if (!await _jobs.TryClaimAsync(claim, stoppingToken).ConfigureAwait(false))
                {
                    continue;
                }

                if (job.Stage is PipelineStage.Created or PipelineStage.Import)
                {
                    // The input stream died with its process: the rows so far are not the whole data set.
                    await FailAsync(job, new JobError(
                        JobErrorKind.Interrupted,
                        $"The process stopped during import after {job.Progress.TransactionsImported} transactions "
                        + $"({job.Progress.BytesRead} bytes); the partial rows were deleted. Submit the file again."))
                        .ConfigureAwait(false);
                    continue;
                }

                _active.TryAdd(job.JobId, new CancellationTokenSource());
                await _queue.Writer.WriteAsync(new QueuedJob(job, null, null), stoppingToken).ConfigureAwait(false);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
