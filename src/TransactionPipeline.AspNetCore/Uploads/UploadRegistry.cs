using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TransactionPipeline.AspNetCore.Http;

namespace TransactionPipeline.AspNetCore.Uploads;

/// <summary>
/// The uploads this host holds, by id and by job. An upload lives in the memory of the host that created it, as its job's
/// import does: PATCHes must reach that host (sticky sessions behind a load balancer), and a host that stops ends its
/// unfinished uploads' jobs <c>FAILED</c> (<c>host_shutdown</c>), as it does a plain submit's.
/// </summary>
internal sealed partial class UploadRegistry(
    IPipeline pipeline, IOptions<TransactionPipelineHttpOptions> options, TimeProvider time, ILogger<UploadRegistry> logger) : IHostedLifecycleService, IDisposable
{
    private readonly ConcurrentDictionary<string, ResumableUpload> _byId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ResumableUpload> _byJob = new(StringComparer.Ordinal);

    /// <summary>
    /// Creates an upload and its job, whose import starts at once and waits for the first byte; answers once the job exists.
    /// </summary>
    /// <param name="tenant">The caller's tenant, or <see langword="null"/> without tenants.</param>
    /// <param name="length">The upload's length, or <see langword="null"/> when the client defers it.</param>
    /// <param name="metadata">The <c>Upload-Metadata</c> header, echoed by <c>HEAD</c>.</param>
    /// <param name="defaults">Configuration the body's own configs take precedence over, from the upload's metadata.</param>
    /// <returns>The upload, or the job that failed before it could take a byte.</returns>
    public async Task<(ResumableUpload? Upload, JobStatus? Failed)> CreateAsync(string? tenant, long? length, string metadata, PipelineConfiguration? defaults)
    {
        var upload = new ResumableUpload(
            Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), tenant, length, metadata, time, options.Value.UploadExpiry, OnIdle);
        var created = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var input = PipelineInput.FromJson(upload.Input, length);
        input.Tenant = tenant;
        input.Progress = new JobCreated(created);
        input.ConfigurationDefaults = defaults;
        upload.Import = Task.Run(() => pipeline.SubmitAsync(input, CancellationToken.None));
        _ = upload.Import.ContinueWith(import => OnImportEnded(upload, import), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        if (length == 0)
        {
            upload.CompleteWriter(null);
        }

        if (await Task.WhenAny(created.Task, upload.Import).ConfigureAwait(false) != created.Task)
        {
            // Nothing was created (the store refused the job): the import's exception or status is the answer.
            upload.Dispose();
            return (null, await upload.ImportedAsync().ConfigureAwait(false));
        }

        upload.JobId = await created.Task.ConfigureAwait(false);
        _byId[upload.Id] = upload;
        _byJob[upload.JobId] = upload;
        upload.StartIdleClock();
        LogCreated(logger, upload.Id, upload.JobId, length);
        return (upload, null);
    }

    /// <summary>The upload with this id, or <see langword="null"/>.</summary>
    public ResumableUpload? Find(string id) => _byId.GetValueOrDefault(id);

    /// <summary>The upload that feeds this job, when this host holds one.</summary>
    public ResumableUpload? FindByJob(string jobId) => _byJob.GetValueOrDefault(jobId);

    /// <summary>Terminates an upload: its job is cancelled unless it has finished, and the upload is forgotten.</summary>
    public async Task TerminateAsync(ResumableUpload upload, string requestedBy, CancellationToken cancellationToken)
    {
        Forget(upload);
        upload.StopReceiving();
        if (!upload.Import.IsCompleted || await pipeline.GetStatusAsync(upload.JobId, cancellationToken).ConfigureAwait(false) is { IsTerminal: false })
        {
            await pipeline.CancelAsync(upload.JobId, requestedBy, cancellationToken).ConfigureAwait(false);
        }

        // A cancellation that found the import between reads still ends it: the input ends with the cancellation, once
        // a PATCH still writing has let go.
        await upload.CloseAsync(new OperationCanceledException($"The upload was terminated by {requestedBy}.")).ConfigureAwait(false);
        upload.Dispose();
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// As the host begins to stop: every PATCH still writing ends now, so the server's shutdown does not wait for long
    /// uploads; the imports stay open until the worker's stop cancels them, which then fail as <c>host_shutdown</c>.
    /// </summary>
    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        foreach (var upload in _byId.Values)
        {
            upload.StopReceivingForShutdown();
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Once every hosted service has stopped (the worker's stop has cancelled the imports, which then fail as
    /// <c>host_shutdown</c>), ends the input of any upload still open, so that no import waits for bytes that cannot come.
    /// </summary>
    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        var open = _byId.Values.Where(u => !u.ImportEnded).ToList();
        try
        {
            await Task.WhenAll(open.Select(u => u.CloseAsync(new OperationCanceledException("The host stopped during the upload."))))
                .WaitAsync(cancellationToken).ConfigureAwait(false);
            await Task.WhenAll(open.Select(u => u.Import)).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException || open.Any(u => u.Import.IsFaulted))
        {
            // The stop's own deadline, or an import that failed to record its failure: the recovery loop of a host that
            // takes over fails such a job once its lease lapses.
        }
    }

    public void Dispose()
    {
        foreach (var upload in _byId.Values)
        {
            upload.Dispose();
        }
    }

    private void OnImportEnded(ResumableUpload upload, Task<JobStatus> import)
    {
        upload.CompleteReader();
#pragma warning disable VSTHRD002 // A continuation: the task has completed.
        if (import.IsCompletedSuccessfully && import.Result is { State: JobState.Failed, Error: { } error })
#pragma warning restore VSTHRD002
        {
            LogEnded(logger, upload.Id, upload.JobId, upload.Offset, error.Kind, error.Message);
        }
    }

    /// <summary>The idle clock ran out: an unfinished upload's job fails as expired; a finished one is forgotten.</summary>
    private void OnIdle(ResumableUpload upload)
    {
        // On a timer thread, where an exception would end the process.
        try
        {
            Expire(upload);
        }
        catch (Exception ex)
        {
            LogExpiryFailed(logger, ex, upload.Id, upload.JobId);
        }
    }

    private void Expire(ResumableUpload upload)
    {
        if (upload.ImportEnded || upload.IsComplete || upload.IsClosing)
        {
            Forget(upload);
            upload.Dispose();
            return;
        }

        var expiry = options.Value.UploadExpiry;
        LogExpired(logger, upload.Id, upload.JobId, upload.Offset, expiry);

        // The idle clock holds the writer's turn here, so no PATCH is writing.
        upload.StopReceiving();
        upload.CompleteWriter(new UploadExpiredException(
            $"no PATCH came within {expiry} after byte {upload.Offset}{(upload.Length is { } length ? $" of {length}" : string.Empty)}; start a new upload"));

        // Later requests answer the job's failure until the upload is forgotten, one more expiry from now.
        upload.StartIdleClock();
    }

    private void Forget(ResumableUpload upload)
    {
        _byId.TryRemove(new KeyValuePair<string, ResumableUpload>(upload.Id, upload));
        _byJob.TryRemove(new KeyValuePair<string, ResumableUpload>(upload.JobId, upload));
    }

    [LoggerMessage(20, LogLevel.Information, "Upload {UploadId} created job {JobId} (length {Length}).")]
    private static partial void LogCreated(ILogger logger, string uploadId, string jobId, long? length);

    [LoggerMessage(21, LogLevel.Warning, "Upload {UploadId} of job {JobId} expired after {Offset} bytes: idle for {Expiry}.")]
    private static partial void LogExpired(ILogger logger, string uploadId, string jobId, long offset, TimeSpan expiry);

    [LoggerMessage(23, LogLevel.Error, "Upload {UploadId} of job {JobId} could not be expired.")]
    private static partial void LogExpiryFailed(ILogger logger, Exception exception, string uploadId, string jobId);

    [LoggerMessage(22, LogLevel.Information, "Upload {UploadId} ended with job {JobId} failed after {Offset} bytes ({Kind}): {Message}")]
    private static partial void LogEnded(ILogger logger, string uploadId, string jobId, long offset, JobErrorKind kind, string message);
}
