using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace TransactionPipeline.Pipeline;

/// <summary>Runs aggregate, credit model, offers and result stages over a job whose import is complete.</summary>
/// <remarks>
/// Results are stored in one step and the job is marked complete only after that, so a reader never sees
/// offers of a job that is not <see cref="JobState.JobComplete"/>. Re-running after a crash replaces them.
/// </remarks>
internal sealed class StageRunner(
    IJobStore jobs,
    ITransactionStore transactions,
    IResultStore results,
    ICreditModel creditModel,
    IOfferStrategy offerStrategy,
    IEnumerable<IResultStage> resultStages,
    JobWriter writer,
    JobErrorClassifier errors,
    ActiveJobs active,
    PipelineTelemetry telemetry,
    TimeProvider time,
    ILogger<StageRunner> logger)
{
    private readonly IResultStage[] _resultStages = resultStages.ToArray();

    /// <summary>Runs the stages of <paramref name="job"/>.</summary>
    /// <param name="job">The imported job.</param>
    /// <param name="cancellationToken">The caller's token, or the worker's stopping token.</param>
    /// <param name="resumeWhenStopped">
    /// Whether <paramref name="cancellationToken"/> is a host stopping: the job is then left unfinished, its rows stored,
    /// for the next owner to resume once the lease lapses, instead of failing as cancelled.
    /// </param>
    /// <returns>The job as the run left it.</returns>
    public async Task<JobStatus> RunAsync(QueuedJob job, CancellationToken cancellationToken, bool resumeWhenStopped = false)
    {
        var status = job.Status;
        // A child of the job's span: the caller's current one when it runs every stage, the one stored with the job's
        // configuration otherwise (here or on another host), so that the request, the import and every stage are one trace.
        using var span = PipelineTelemetry.Source.StartActivity(
            "transaction_pipeline.stages",
            ActivityKind.Internal,
            Activity.Current?.Context ?? job.TraceParent,
            [new("transaction_pipeline.job.id", status.JobId)]);
        using var stages = new StageTimer(telemetry, time, logger, status.JobId);
        stages.Next("aggregate");
        var cancellation = active.Get(status.JobId);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, cancellation.Token);
        var token = linked.Token;
        try
        {
            var configuration = job.Configuration
                ?? await jobs.FindConfigurationAsync(status.JobId, token).ConfigureAwait(false)
                ?? PipelineConfiguration.Default;
            var (totals, storedRows) = job.Totals is { } kept
                ? (kept, status.Progress.TransactionsImported)
                : await ReloadTotalsAsync(status, token).ConfigureAwait(false);
            if (storedRows != status.Progress.TransactionsImported)
            {
                // Aggregating what is there would publish offers from partial data.
                return await writer.FailAsync(status, new JobError(
                    JobErrorKind.Interrupted,
                    $"The process stopped after the import of {status.Progress.TransactionsImported} transactions, but {storedRows} of "
                    + "their raw rows are in the store, so the job cannot be resumed (a job run in aggregate-only mode, "
                    + "StoreTransactions = false, keeps none). Submit the file again.")).ConfigureAwait(false);
            }

            var aggregates = totals.ToAggregates(configuration.Aggregate.DateRange);
            stages.Next("credit_model");
            status = await writer.UpdateAsync(
                status with
                {
                    Stage = PipelineStage.CreditModel,
                    Progress = status.Progress with { AggregatesCreated = aggregates.Count },
                    UpdatedAt = writer.Now,
                },
                JobEventTypes.AggregationCompleted,
                token).ConfigureAwait(false);

            var credit = configuration.CreditModel;
            var assessments = await creditModel.ScoreAsync(new CreditModelContext(status.JobId, aggregates, credit), token).ConfigureAwait(false);
            EnsureOnePerDate(assessments.Select(a => a.Date), aggregates, nameof(ICreditModel));
            stages.Next("offers");
            status = await writer.UpdateAsync(status with { Stage = PipelineStage.Offers, UpdatedAt = writer.Now }, JobEventTypes.CreditModelCompleted, token)
                .ConfigureAwait(false);

            var offers = await offerStrategy.CreateOffersAsync(new OfferContext(status.JobId, aggregates, assessments, credit), token)
                .ConfigureAwait(false);
            EnsureOnePerDate(offers.Select(o => o.Date), aggregates, nameof(IOfferStrategy), allowFewer: true);
            stages.Next("results");
            status = await writer.UpdateAsync(
                status with { Progress = status.Progress with { OffersGenerated = offers.Count }, UpdatedAt = writer.Now },
                JobEventTypes.OffersGenerated,
                token).ConfigureAwait(false);

            var result = new JobResult
            {
                JobId = status.JobId,
                Aggregates = aggregates,
                Assessments = assessments,
                Offers = offers,
                TransactionsProcessed = status.Progress.TransactionsImported,
                ModelVersion = credit.ModelVersion,
                ConfigUsedJson = EffectiveCreditConfig.ToJson(credit),
            };
            foreach (var stage in _resultStages)
            {
                await stage.ProcessAsync(new ResultStageContext(result), token).ConfigureAwait(false);
            }

            // The save is fenced like every status write: a host that lost the lease stops here and writes no results.
            if (!await results.SaveAsync(result, writer.InstanceId, token).ConfigureAwait(false))
            {
                throw new JobLeaseLostException(status.JobId, writer.InstanceId);
            }

            var now = writer.Now;
            var complete = await writer.UpdateAsync(
                status with { State = JobState.JobComplete, Stage = PipelineStage.Completed, UpdatedAt = now, CompletedAt = now },
                JobEventTypes.JobComplete,
                token).ConfigureAwait(false);
            stages.Dispose();
            telemetry.JobCompleted();
            PipelineLog.JobCompleted(
                logger, status.JobId, status.Progress.TransactionsImported, aggregates.Count, offers.Count, Math.Round((now - status.CreatedAt).TotalSeconds, 3));
            return complete;
        }
        catch (JobLeaseLostException ex)
        {
            return await writer.LeaseLostAsync(status, ex).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (resumeWhenStopped && cancellationToken.IsCancellationRequested)
        {
            PipelineLog.LeftForResume(logger, status.JobId, status.Stage);
            return status;
        }
        catch (Exception ex)
        {
            var error = errors.From(ex, status.Progress, cancellationToken, active.CancelledBy(status.JobId));
            stages.Fail(error);
            PipelineTelemetry.Failed(span, error);
            return await writer.FailAsync(status, error).ConfigureAwait(false);
        }
        finally
        {
            active.Release(status.JobId, dispose: true);
        }
    }

    /// <summary>Rebuilds a job's totals from its stored rows, for a job whose import ran in another process.</summary>
    /// <returns>The totals and how many rows they were built from.</returns>
    private async Task<(DailyTotals Totals, long Rows)> ReloadTotalsAsync(JobStatus status, CancellationToken cancellationToken)
    {
        var totals = new DailyTotals();
        long rows = 0;
        if (await transactions.SumByDateAsync(status.JobId, cancellationToken).ConfigureAwait(false) is { } sums)
        {
            foreach (var date in sums)
            {
                totals.Add(date);
                rows += date.TransactionCount;
            }

            return (totals, rows);
        }

        await foreach (var transaction in transactions.ReadAsync(status.JobId, cancellationToken).ConfigureAwait(false))
        {
            totals.Add(transaction);
            rows++;
        }

        return (totals, rows);
    }

    private static void EnsureOnePerDate(IEnumerable<DateOnly> dates, IReadOnlyList<DailyAggregate> aggregates, string source, bool allowFewer = false)
    {
        var known = aggregates.Select(a => a.Date).ToHashSet();
        var seen = new HashSet<DateOnly>();
        foreach (var date in dates)
        {
            if (!known.Contains(date) || !seen.Add(date))
            {
                throw new InvalidOperationException(
                    $"The {source} returned {(known.Contains(date) ? "two entries" : "an entry")} for {date:yyyy-MM-dd}; it must return at most one per aggregated date.");
            }
        }

        if (!allowFewer && seen.Count != known.Count)
        {
            throw new InvalidOperationException($"The {source} scored {seen.Count} of {known.Count} aggregated dates; it must score each one.");
        }
    }
}
