using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace TransactionPipeline.AspNetCore.Http;

/// <summary>
/// A submit with an <c>Idempotency-Key</c> (IETF HTTPAPI draft): the first request with a key imports its body and binds
/// the key to the job and to the body's fingerprint; a retry with the same key and body answers that job, one with
/// another body <c>422</c>, and one while the first is still uploading <c>409</c>.
/// </summary>
/// <remarks>
/// A key is bound only to a job whose import succeeded: when the import fails (the client went away, the body was
/// invalid, the host stopped), the key is freed and a retry imports again. A record left by a host that died mid-upload
/// is recognised by its job having failed (the recovery loop fails an interrupted import), or, before the job existed,
/// by its age.
/// </remarks>
internal sealed class IdempotentSubmit(HttpContext context, IPipeline pipeline, IIdempotencyStore store, TimeProvider time, TimeSpan lifetime)
{
    /// <summary>How long a record may go without a job before it counts as left by a host that died before making the job.</summary>
    private static readonly TimeSpan AbandonedWithoutJob = TimeSpan.FromMinutes(1);

    /// <param name="key">The client's key.</param>
    /// <param name="tenant">The caller's tenant, which is the key's scope and the new job's tenant; <see langword="null"/> without tenants.</param>
    /// <param name="body">The request body.</param>
    public async Task<Results<JsonHttpResult<SubmitResponse>, ProblemHttpResult>> SubmitAsync(string key, string? tenant, Stream body)
    {
        var scope = tenant ?? string.Empty;
        for (var attempt = 0; ; attempt++)
        {
            var now = time.GetUtcNow();
            var record = new IdempotencyRecord(scope, key, Convert.ToHexString(RandomNumberGenerator.GetBytes(16)), now);
            var holder = await store.TryAddAsync(record, now - lifetime, CancellationToken.None).ConfigureAwait(false);
            if (holder.Token == record.Token)
            {
                return await ImportAsync(record, tenant, body).ConfigureAwait(false);
            }

            var job = holder.JobId is { } jobId ? await pipeline.GetStatusAsync(jobId, CancellationToken.None).ConfigureAwait(false) : null;
            var abandoned = holder.Fingerprint is null
                ? job is { State: JobState.Failed } || (job is null && (holder.JobId is not null || now - holder.CreatedAt > AbandonedWithoutJob))
                : job is null; // the job was deleted: nothing is left to answer, so the key is free again
            if (abandoned)
            {
                if (attempt == 0 && await store.RemoveAsync(holder, CancellationToken.None).ConfigureAwait(false))
                {
                    continue;
                }

                return Problems.IdempotencyKeyInUse(key, holder.JobId);
            }

            if (holder.Fingerprint is null)
            {
                return Problems.IdempotencyKeyInUse(key, holder.JobId);
            }

            string fingerprint;
            try
            {
                fingerprint = await FingerprintingStream.ReadToEndAsync(body, CancellationToken.None).ConfigureAwait(false);
            }
            catch (InputAbortedException ex)
            {
                return Problems.BadRequest("The request body ended early.", ex.Message);
            }

            if (fingerprint != holder.Fingerprint)
            {
                return Problems.IdempotencyKeyReused(key, holder.JobId);
            }

            context.Response.Headers[IdempotencyKey.ReplayedHeaderName] = "true";
            return SubmitEndpoint.Answer(context, job!, (job!.CompletedAt ?? job.UpdatedAt) - job.CreatedAt);
        }
    }

    private async Task<Results<JsonHttpResult<SubmitResponse>, ProblemHttpResult>> ImportAsync(IdempotencyRecord record, string? tenant, Stream body)
    {
        using var fingerprinting = new FingerprintingStream(body);
        var created = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        JobStatus status;
        TimeSpan elapsed;
        try
        {
            var import = SubmitEndpoint.ImportAsync(context, pipeline, time, fingerprinting, tenant, new JobCreated(created));

            // The job's id goes into the record as soon as the job exists, so a retry can tell a running upload from one
            // whose host died (its job ends failed).
            if (await Task.WhenAny(created.Task, import).ConfigureAwait(false) == created.Task)
            {
                record = record with { JobId = await created.Task.ConfigureAwait(false) };
                try
                {
                    await store.UpdateAsync(record, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // Only a hint for retries (which job to look at); the import goes on and the final update records it.
                }
            }

            (status, elapsed) = await import.ConfigureAwait(false);
        }
        catch
        {
            // The import ended without a job to bind: free the key, best effort, so the original error is what the caller sees.
            try
            {
                await store.RemoveAsync(record, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The key expires in time; a retry meanwhile answers 409 until its job is seen failed.
            }

            throw;
        }

        if (status.State == JobState.Failed)
        {
            await store.RemoveAsync(record, CancellationToken.None).ConfigureAwait(false);
        }
        else
        {
            await store.UpdateAsync(record with { JobId = status.JobId, Fingerprint = fingerprinting.Finish() }, CancellationToken.None).ConfigureAwait(false);
        }

        return SubmitEndpoint.Answer(context, status, elapsed);
    }
}

/// <summary>Takes the job's id from its first status report, which the pipeline makes as it creates the job.</summary>
internal sealed class JobCreated(TaskCompletionSource<string> created) : IProgress<JobStatus>
{
    public void Report(JobStatus value) => created.TrySetResult(value.JobId);
}
