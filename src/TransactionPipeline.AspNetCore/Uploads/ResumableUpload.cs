using System.IO.Pipelines;
using TransactionPipeline.AspNetCore.Http;

namespace TransactionPipeline.AspNetCore.Uploads;

/// <summary>
/// One tus upload and the job it feeds: PATCHed bytes go through a bounded pipe straight into the job's streaming import,
/// which waits between PATCHes. The offset is every byte the pipe has taken, so a client that lost its connection resumes
/// from exactly there.
/// </summary>
/// <remarks>
/// One writer at a time holds the upload's turn: a PATCH, the idle clock when it runs out, or whoever closes the upload.
/// The pipe's writer is completed only with the turn, so no PATCH is ever left writing into a closed pipe.
/// </remarks>
internal sealed class ResumableUpload : IDisposable
{
    // Up to 1 MiB in flight: the import reads as fast as the store takes rows, and memory stays flat at any size.
    private static readonly PipeOptions Buffering = new(
        pauseWriterThreshold: 1024 * 1024, resumeWriterThreshold: 512 * 1024, minimumSegmentSize: 64 * 1024, useSynchronizationContext: false);

    private readonly Pipe _pipe = new(Buffering);
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly CancellationTokenSource _closing = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _expiry;
    private readonly ITimer _idle;
    private readonly Action<ResumableUpload> _expired;
    private long _offset;
    private long _length; // -1 while deferred
    private bool _writerDone;
    private bool _disposed;
    private DateTimeOffset _expiresAt;
    private volatile bool _writing;

    public ResumableUpload(string id, string? tenant, long? length, string metadata, TimeProvider time, TimeSpan expiry, Action<ResumableUpload> expired)
    {
        Id = id;
        Tenant = tenant;
        Metadata = metadata;
        _length = length ?? -1;
        _time = time;
        _expiry = expiry;
        _expired = expired;
        Input = _pipe.Reader.AsStream(leaveOpen: true);
        _idle = time.CreateTimer(static state => ((ResumableUpload)state!).OnIdle(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _expiresAt = time.GetUtcNow() + expiry;
    }

    /// <summary>Gets the upload's unguessable id, the last segment of its URL.</summary>
    public string Id { get; }

    /// <summary>Gets the owner of the upload under tenants; <see langword="null"/> without them.</summary>
    public string? Tenant { get; }

    /// <summary>Gets the <c>Upload-Metadata</c> header the upload was created with, echoed by <c>HEAD</c>.</summary>
    public string Metadata { get; }

    /// <summary>Gets or sets the job the upload feeds, known once the import has created it.</summary>
    public string JobId { get; set; } = string.Empty;

    /// <summary>Gets the stream the job's import reads.</summary>
    public Stream Input { get; }

    /// <summary>Gets or sets the job's import, which ends when the last byte is in or the job fails.</summary>
    public Task<JobStatus> Import { get; set; } = Task.FromResult<JobStatus>(null!);

    /// <summary>Gets the bytes the server has taken.</summary>
    public long Offset => Interlocked.Read(ref _offset);

    /// <summary>Gets the total length, or <see langword="null"/> while it is deferred.</summary>
    public long? Length => Interlocked.Read(ref _length) is var length and >= 0 ? length : null;

    /// <summary>Gets a value indicating whether every byte is in.</summary>
    public bool IsComplete => Length is { } length && Offset == length;

    /// <summary>Gets a value indicating whether a PATCH is writing now.</summary>
    public bool IsReceiving => _writing;

    /// <summary>Gets a value indicating whether the upload takes no more bytes: it expired, was terminated, or its host is stopping.</summary>
    public bool IsClosing => _closing.IsCancellationRequested;

    /// <summary>Gets when the upload expires unless a PATCH comes first; while a PATCH writes, an expiry from now.</summary>
    public DateTimeOffset ExpiresAt => _writing ? _time.GetUtcNow() + _expiry : _expiresAt;

    /// <summary>Gets a value indicating whether the job's import has ended (every byte in and imported, or the job failed).</summary>
    public bool ImportEnded => Import.IsCompleted;

    /// <summary>The job after its import: it has ended, or ends soon because the last byte is in or the import stopped taking bytes.</summary>
#pragma warning disable VSTHRD003 // The import runs on the thread pool (started by the registry), so awaiting it from a request cannot deadlock.
    public async Task<JobStatus> ImportedAsync() => await Import.ConfigureAwait(false);

    /// <summary>The job after its import, if it ends within <paramref name="patience"/>; otherwise <see langword="null"/>.</summary>
    public async Task<JobStatus?> ImportedWithinAsync(TimeSpan patience)
    {
        try
        {
            return await Import.WaitAsync(patience).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }
#pragma warning restore VSTHRD003

    /// <summary>Starts the expiry clock: called once the upload is registered, and after each PATCH.</summary>
    public void StartIdleClock()
    {
        _expiresAt = _time.GetUtcNow() + _expiry;
        ChangeClock(_expiry);
    }

    /// <summary>Takes the writer's turn, waiting a little for a PATCH whose connection is going away to notice.</summary>
    public async Task<bool> TryBeginWriteAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        if (!await _turn.WaitAsync(wait, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        _writing = true;
        ChangeClock(Timeout.InfiniteTimeSpan);
        return true;
    }

    /// <summary>Gives the writer's turn back and restarts the expiry clock.</summary>
    public void EndWrite()
    {
        try
        {
            _writing = false;
            StartIdleClock();
        }
        finally
        {
            _turn.Release();
        }
    }

    /// <summary>Sets a deferred length; only with the writer's turn.</summary>
    public void SetLength(long length) => Interlocked.Exchange(ref _length, length);

    /// <summary>
    /// Copies <paramref name="body"/> into the import until it ends, the upload's length is reached, the import stops
    /// taking bytes or the upload closes; only with the writer's turn. Every byte read from the body is counted in
    /// <see cref="Offset"/> and handed to the import.
    /// </summary>
    /// <returns>How the body ended.</returns>
    public async Task<AppendOutcome> AppendAsync(Stream body, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closing.Token);
        var writer = _pipe.Writer;
        try
        {
            while (true)
            {
                if (_writerDone || IsClosing)
                {
                    return IsComplete ? AppendOutcome.Complete : AppendOutcome.Closed;
                }

                var remaining = Length is { } length ? length - Offset : long.MaxValue;
                if (remaining == 0)
                {
                    break;
                }

                var memory = writer.GetMemory(64 * 1024);
                if (memory.Length > remaining)
                {
                    memory = memory[..(int)remaining];
                }

                int read;
                try
                {
                    read = await body.ReadAsync(memory, stop.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (RequestBodyStream.IsMalformedBody(ex))
                {
                    return AppendOutcome.Malformed;
                }
                catch (Exception ex) when (ex is IOException or OperationCanceledException)
                {
                    // The client's connection failed (Kestrel's resets, early ends and too-slow-data cut-offs are all
                    // IOExceptions, an abort is a cancellation), or the upload is closing: what arrived is taken.
                    return IsClosing ? AppendOutcome.Closed : AppendOutcome.ConnectionLost;
                }

                if (read == 0)
                {
                    break;
                }

                writer.Advance(read);
                Interlocked.Add(ref _offset, read);
                var flushed = await writer.FlushAsync(stop.Token).ConfigureAwait(false);
                if (flushed.IsCompleted)
                {
                    return AppendOutcome.ImportStopped;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // A flush waiting for the import to make room when the connection failed or the upload closed; the
            // advanced bytes are in the pipe and the next flush (or the import's next read) delivers them.
            return IsClosing ? AppendOutcome.Closed : AppendOutcome.ConnectionLost;
        }

        if (IsComplete)
        {
            CompleteWriter(null);
            return AppendOutcome.Complete;
        }

        return AppendOutcome.BodyEnded;
    }

    /// <summary>Ends the import's input with its end; only with the writer's turn (or before anyone can have it).</summary>
    public void CompleteWriter(Exception? error)
    {
        if (_writerDone)
        {
            return;
        }

        _writerDone = true;
        _pipe.Writer.Complete(error);
    }

    /// <summary>
    /// Stops the PATCH writing now, if any, and refuses bytes from then on; the import's input stays open, so a job
    /// that its worker is cancelling says why itself.
    /// </summary>
    public void StopReceiving() => _closing.Cancel();

    /// <summary>Stops receiving because the host is stopping: requests then answer at once instead of waiting for the job to end.</summary>
    public void StopReceivingForShutdown()
    {
        HostStopping = true;
        _closing.Cancel();
    }

    /// <summary>Gets a value indicating whether the upload closed because its host is stopping.</summary>
    public bool HostStopping { get; private set; }

    /// <summary>Stops receiving, waits for the writer's turn, and ends the import's input with <paramref name="error"/>.</summary>
    public async Task CloseAsync(Exception error)
    {
        StopReceiving();
        await _turn.WaitAsync().ConfigureAwait(false);
        try
        {
            CompleteWriter(error);
        }
        finally
        {
            _turn.Release();
        }
    }

    /// <summary>Called by the import's end: later writes see the pipe closed instead of waiting for room.</summary>
    public void CompleteReader() => _pipe.Reader.Complete();

    /// <summary>Stops the idle clock. The writer's turn and the pipe stay usable, for a request that found the upload just before.</summary>
    public void Dispose()
    {
        lock (_idle)
        {
            _disposed = true;
            _idle.Dispose();
        }
    }

    private void ChangeClock(TimeSpan due)
    {
        lock (_idle)
        {
            if (!_disposed)
            {
                _idle.Change(due, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private void OnIdle()
    {
        // A PATCH that has just begun owns the upload; it restarts the clock when it ends.
        if (!_turn.Wait(0))
        {
            return;
        }

        try
        {
            _expired(this);
        }
        finally
        {
            _turn.Release();
        }
    }
}

/// <summary>How a PATCH's body went into the import.</summary>
internal enum AppendOutcome
{
    /// <summary>The body ended before the upload's length: the client sends the rest with another PATCH.</summary>
    BodyEnded,

    /// <summary>The last byte is in; the import reads to its end.</summary>
    Complete,

    /// <summary>The client's connection failed mid-body; the bytes that arrived are taken.</summary>
    ConnectionLost,

    /// <summary>The body's framing was broken (a bad chunk, say); the bytes before it are taken.</summary>
    Malformed,

    /// <summary>The import stopped taking bytes: its job failed (invalid input, cancelled).</summary>
    ImportStopped,

    /// <summary>The upload takes no more bytes: it expired, was terminated, or its host is stopping.</summary>
    Closed,
}
