using System.IO.Pipelines;

namespace TransactionPipeline.AspNetCore.Uploads;

/// <summary>
/// One tus upload and the job it feeds: PATCHed bytes go through a bounded pipe straight into the job's streaming import,
/// which waits between PATCHes. The offset is every byte the pipe has taken, so a client that lost its connection resumes
/// from exactly there. One PATCH writes at a time.
/// </summary>
internal sealed class ResumableUpload : IDisposable
{
    // A few MiB in flight at most: the import reads as fast as the store takes rows, and memory stays flat at any size.
    private static readonly PipeOptions Buffering = new(
        pauseWriterThreshold: 1024 * 1024, resumeWriterThreshold: 512 * 1024, minimumSegmentSize: 64 * 1024, useSynchronizationContext: false);

    private readonly Pipe _pipe = new(Buffering);
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly TimeProvider _time;
    private readonly TimeSpan _expiry;
    private readonly ITimer _idle;
    private readonly Action<ResumableUpload> _expired;
    private long _offset;
    private long _length; // -1 while deferred
    private bool _writerDone;

    public ResumableUpload(string id, string? tenant, long? length, TimeProvider time, TimeSpan expiry, Action<ResumableUpload> expired)
    {
        Id = id;
        Tenant = tenant;
        _length = length ?? -1;
        _time = time;
        _expiry = expiry;
        _expired = expired;
        Input = _pipe.Reader.AsStream(leaveOpen: true);
        _idle = time.CreateTimer(static state => ((ResumableUpload)state!).OnIdle(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        ExpiresAt = time.GetUtcNow() + expiry;
    }

    /// <summary>Gets the upload's unguessable id, the last segment of its URL.</summary>
    public string Id { get; }

    /// <summary>Gets the owner of the upload under tenants; <see langword="null"/> without them.</summary>
    public string? Tenant { get; }

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
    public bool IsReceiving => _writing.CurrentCount == 0;

    /// <summary>Gets when the upload expires unless a PATCH comes first; it does not expire while a PATCH is writing.</summary>
    public DateTimeOffset ExpiresAt { get; private set; }

    /// <summary>Gets a value indicating whether the job's import has ended (every byte in and imported, or the job failed).</summary>
    public bool ImportEnded => Import.IsCompleted;

    /// <summary>The job after its import: it has ended, or ends soon because the last byte is in or the import stopped taking bytes.</summary>
#pragma warning disable VSTHRD003 // The import runs on the thread pool (started by the registry), so awaiting it from a request cannot deadlock.
    public async Task<JobStatus> ImportedAsync() => await Import.ConfigureAwait(false);
#pragma warning restore VSTHRD003

    /// <summary>Starts the expiry clock: called once the upload is registered, and after each PATCH.</summary>
    public void StartIdleClock()
    {
        ExpiresAt = _time.GetUtcNow() + _expiry;
        _idle.Change(_expiry, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Takes the one writer's turn, waiting a little for a PATCH whose connection is going away to notice.</summary>
    public async Task<bool> TryBeginWriteAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        if (!await _writing.WaitAsync(wait, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        _idle.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        return true;
    }

    /// <summary>Gives the writer's turn back and restarts the expiry clock.</summary>
    public void EndWrite()
    {
        StartIdleClock();
        _writing.Release();
    }

    /// <summary>Sets a deferred length; only with the writer's turn.</summary>
    public void SetLength(long length) => Interlocked.Exchange(ref _length, length);

    /// <summary>
    /// Copies <paramref name="body"/> into the import until it ends, the upload's length is reached, or the import stops
    /// taking bytes; only with the writer's turn. Every byte read from the body is counted in <see cref="Offset"/>.
    /// </summary>
    /// <returns>How the body ended.</returns>
    public async Task<AppendOutcome> AppendAsync(Stream body, CancellationToken cancellationToken)
    {
        var writer = _pipe.Writer;
        while (true)
        {
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
                read = await body.ReadAsync(memory, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException)
            {
                // The client's connection failed (Kestrel's resets, early ends and too-slow-data cut-offs are all
                // IOExceptions, an abort is a cancellation): what it sent so far is taken; it resumes from the offset.
                await writer.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                return AppendOutcome.ConnectionLost;
            }

            if (read == 0)
            {
                break;
            }

            writer.Advance(read);
            Interlocked.Add(ref _offset, read);
            var flushed = await writer.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            if (flushed.IsCompleted)
            {
                return AppendOutcome.ImportStopped;
            }
        }

        if (IsComplete)
        {
            CompleteWriter(null);
            return AppendOutcome.Complete;
        }

        return AppendOutcome.BodyEnded;
    }

    /// <summary>Ends the import's input with <paramref name="error"/> (or its end, when <see langword="null"/>).</summary>
    public void CompleteWriter(Exception? error)
    {
        lock (_pipe)
        {
            if (_writerDone)
            {
                return;
            }

            _writerDone = true;
            _pipe.Writer.Complete(error);
        }
    }

    /// <summary>Called by the import's end: later writes see the pipe closed instead of waiting for room.</summary>
    public void CompleteReader() => _pipe.Reader.Complete();

    /// <summary>Stops the idle clock. The writer's turn and the pipe stay usable, for a request that found the upload just before.</summary>
    public void Dispose() => _idle.Dispose();

    private void OnIdle()
    {
        // A PATCH that has just begun owns the upload; it restarts the clock when it ends.
        if (!_writing.Wait(0))
        {
            return;
        }

        try
        {
            _expired(this);
        }
        finally
        {
            _writing.Release();
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

    /// <summary>The import stopped taking bytes: its job failed (invalid input, cancelled, expired).</summary>
    ImportStopped,
}
