using System.Buffers;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace TransactionPipeline.Sqlite;

/// <summary>One job's import on SQLite: its rows spread over a few files (shards), each written by a writer task of its own.</summary>
/// <remarks>
/// <para>
/// SQLite writes a file on one thread, and its B-tree inserts were the bound of the whole import, with the second core
/// mostly idle. Files of their own let several writers insert at once: whole batches go to the shards in turn,
/// numbered by one id over the job (the import order), so reading the shards back merged by id gives that order.
/// Shard 0 is <c>NAME.db</c>, as a job's single file always was; shard <c>k</c> is <c>NAME.k.db</c>, made by the first
/// batch that goes to it.
/// </para>
/// <para>
/// <see cref="AppendAsync"/> copies the batch's records (its strings are shared, not copied) and hands them to the
/// shard's writer through a short bounded queue, so a slow disk still stalls the reader instead of filling memory.
/// Each shard commits each batch as it comes, with no journal (see the rows schema). A writer's failure (a full disk, an I/O error) is thrown,
/// as it happened, by the next call for the job; <see cref="CompleteAsync"/> waits for every write.
/// </para>
/// <para>One caller at a time: batches of one job arrive in order, one after another.</para>
/// </remarks>
internal sealed class RowsImport : IAsyncDisposable, IDisposable
{
    /// <summary>Batches queued per shard ahead of its writer.</summary>
    private const int QueuedBatches = 2;

    private readonly Shard[] _shards;
    private readonly Func<int, bool, CancellationToken, ValueTask<SqliteConnection?>> _open;
    private readonly CancellationTokenSource _stop = new();
    private ExceptionDispatchInfo? _failure;
    private long _nextId;
    private long _batches;
    private int _disposed;

    private RowsImport(int shards, long nextId, Func<int, bool, CancellationToken, ValueTask<SqliteConnection?>> open)
    {
        _shards = new Shard[shards];
        _nextId = nextId;
        _open = open;
    }

    /// <summary>Starts a job's import, after the rows already in its files (a job appended to again goes on after its last row).</summary>
    /// <param name="shards">How many files and writers the import spreads its rows over.</param>
    /// <param name="open">Opens shard <c>k</c>'s file (creating it when asked), or answers null when it does not exist.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async ValueTask<RowsImport> StartAsync(int shards, Func<int, bool, CancellationToken, ValueTask<SqliteConnection?>> open, CancellationToken cancellationToken)
    {
        long lastId = 0;
        for (var shard = 0; shard < SqliteStore.MaxImportWriters; shard++)
        {
            using var connection = await open(shard, false, cancellationToken).ConfigureAwait(false);
            if (connection is null)
            {
                continue;
            }

            using var max = connection.CreateCommand();
            max.CommandText = "SELECT COALESCE(MAX(id), 0) FROM rows;";
            lastId = Math.Max(lastId, (long)(await max.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!);
        }

        return new RowsImport(shards, lastId + 1, open);
    }

    /// <summary>Queues the batch for the next shard's writer; waits only while that writer is <see cref="QueuedBatches"/> behind.</summary>
    public async ValueTask AppendAsync(TransactionBatch batch, CancellationToken cancellationToken)
    {
        ThrowIfFailed();

        // Checked here, so that an amount the store cannot keep exactly fails the call that brought it, with nothing of
        // its batch stored; the writer converts the same amounts again.
        foreach (ref readonly var row in batch.Items.Span)
        {
            if (row.Amount.Scale > 2)
            {
                _ = ToCents(row.Amount);
            }
        }

        var index = (int)(_batches % _shards.Length);
        var shard = _shards[index] ??= new Shard(
            (await _open(index, true, cancellationToken).ConfigureAwait(false))!, this);
        var rows = ArrayPool<TransactionRecord>.Shared.Rent(batch.Count);
        batch.Items.Span.CopyTo(rows);
        var chunk = new Chunk(rows, batch.Count, _nextId);
        try
        {
            await shard.Queue.Writer.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            chunk.Release();
            ThrowIfFailed();
            throw new InvalidOperationException("The import was stopped: its rows were deleted or the store was disposed.");
        }
        catch
        {
            chunk.Release();
            throw;
        }

        _nextId += batch.Count;
        _batches++;
    }

    /// <summary>Waits for every queued batch to be committed, then checkpoints and closes each shard's file.</summary>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        var shards = _shards.OfType<Shard>().ToArray();
        foreach (var shard in shards)
        {
            shard.Queue.Writer.TryComplete();
        }

        await Task.WhenAll(shards.Select(s => s.Writer)).WaitAsync(cancellationToken).ConfigureAwait(false);
        ThrowIfFailed();
        var files = shards.Select(s => s.Connection.DataSource).ToArray();
        await DisposeAsync().ConfigureAwait(false);

        // Written without syncs (see the rows schema): the rows outlive a power loss from here on.
        foreach (var path in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
            file.Flush(flushToDisk: true);
        }
    }

    /// <summary>Lets the writers commit what is queued, then closes the files.</summary>
    public async ValueTask DisposeAsync() => await CloseAsync(abort: false).ConfigureAwait(false);

    /// <summary>Stops the writers (a batch being written finishes first), drops what is queued and closes the files.</summary>
    public async Task AbortAsync() => await CloseAsync(abort: true).ConfigureAwait(false);

    /// <summary>As <see cref="DisposeAsync"/>, blocking: for the store's synchronous disposal.</summary>
    public void Dispose()
    {
#pragma warning disable VSTHRD002 // The writers run on the thread pool and never wait for the caller, so this wait cannot deadlock.
        CloseAsync(abort: false).GetAwaiter().GetResult();
#pragma warning restore VSTHRD002
    }

    private async Task CloseAsync(bool abort)
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        var shards = _shards.OfType<Shard>().ToArray();
        foreach (var shard in shards)
        {
            shard.Queue.Writer.TryComplete();
        }

        if (abort)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
        }

        // A writer stops within one batch's insert; the files must be closed before they can be removed. The writers
        // never throw: a failure is kept for the caller.
        await Task.WhenAll(shards.Select(s => s.Writer)).ConfigureAwait(false);
        foreach (var shard in shards)
        {
            while (shard.Queue.Reader.TryRead(out var chunk))
            {
                chunk.Release();
            }

            await shard.Connection.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private void ThrowIfFailed()
    {
        Volatile.Read(ref _failure)?.Throw();
        if (Volatile.Read(ref _disposed) == 1)
        {
            throw new InvalidOperationException("The import was stopped: its rows were deleted or the store was disposed.");
        }
    }

    /// <summary>Keeps the first writer's failure and stops the others: the job fails with that one cause.</summary>
    private void Fail(Exception exception)
    {
        Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(exception), null);
        foreach (var shard in _shards.OfType<Shard>())
        {
            shard.Queue.Writer.TryComplete();
        }
    }

    /// <summary>Rows copied out of a pooled batch, numbered from <paramref name="FirstId"/>.</summary>
    private readonly record struct Chunk(TransactionRecord[] Rows, int Count, long FirstId)
    {
        public void Release()
        {
            Array.Clear(Rows, 0, Count);
            ArrayPool<TransactionRecord>.Shared.Return(Rows);
        }
    }

    /// <summary>One file of the job's rows, its connection, and the writer that commits what is queued for it.</summary>
    private sealed class Shard
    {
        public Shard(SqliteConnection connection, RowsImport import)
        {
            Connection = connection;
            Queue = Channel.CreateBounded<Chunk>(new BoundedChannelOptions(QueuedBatches)
            {
                SingleReader = true,
                SingleWriter = true,
                FullMode = BoundedChannelFullMode.Wait,
            });
            Writer = Task.Run(() => WriteAsync(import));
        }

        public SqliteConnection Connection { get; }

        public Channel<Chunk> Queue { get; }

        public Task Writer { get; }

        private async Task WriteAsync(RowsImport import)
        {
            try
            {
                await foreach (var chunk in Queue.Reader.ReadAllAsync(import._stop.Token).ConfigureAwait(false))
                {
                    try
                    {
                        // A transaction per batch: with no journal it does not roll back, but it is one write of the pages.
                        using var transaction = Connection.BeginTransaction(deferred: false);
                        SqliteStore.InsertRows(Connection.Handle!, chunk.Rows.AsSpan(0, chunk.Count), chunk.FirstId);
                        await transaction.CommitAsync(import._stop.Token).ConfigureAwait(false);
                    }
                    finally
                    {
                        chunk.Release();
                    }
                }
            }
            catch (OperationCanceledException) when (import._stop.IsCancellationRequested)
            {
                // Stopped by a delete or the store's disposal: what was queued goes with the job.
            }
#pragma warning disable CA1031 // The failure is kept and thrown to the import's caller, with its own stack.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                import.Fail(ex);
            }
        }
    }
}
