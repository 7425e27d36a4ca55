using System.Collections.Concurrent;
using System.Data;
using System.Globalization;
using System.Runtime.CompilerServices;
using Npgsql;

namespace TransactionPipeline.PostgreSql;

internal sealed partial class PostgreSqlStore
{
    /// <summary>The imports in progress on this instance, by job: each holds its connection, transaction and COPY.</summary>
    private readonly ConcurrentDictionary<string, JobImport> _imports = new(StringComparer.Ordinal);

    /// <summary>The table of one job's rows: created by its first batch, dropped whole when its rows are deleted.</summary>
    /// <remarks>
    /// No index: rows are appended by COPY and read back whole, in <c>seq</c> order. A table per job makes removing a job's
    /// rows one <c>DROP TABLE</c>, which takes the same short time for any size, gives the space back at once, leaves
    /// no dead rows for vacuum and locks only that table, so imports of other jobs go on.
    /// </remarks>
    internal static string RowsTable(long jobKey) => string.Create(CultureInfo.InvariantCulture, $"transaction_rows_{jobKey}");

    /// <summary>Appends the batch to the job's import: one binary COPY, in one transaction, that runs from the job's first batch to <see cref="ITransactionStore.CompleteAsync"/>.</summary>
    /// <remarks>
    /// <para>
    /// The first batch opens a connection of the job's own, begins a transaction, creates the job's table in it and
    /// starts <c>COPY ... (FORMAT BINARY, FREEZE)</c>: a table made in the same transaction may be loaded frozen, so
    /// the server writes each row once, with no later hint-bit or freeze rewrite, and the import pays one COPY
    /// start and one commit instead of one per batch. Each batch is encoded straight into the COPY stream as it
    /// arrives, so the server ingests while the next batch is parsed.
    /// </para>
    /// <para>
    /// Nothing is visible before <see cref="ITransactionStore.CompleteAsync"/> commits: a failed or cancelled import is rolled back by
    /// <see cref="ITransactionStore.DeleteAsync"/>, and one whose process dies is rolled back by the server when the
    /// connection drops, so no partial rows are ever left to clean up.
    /// </para>
    /// </remarks>
    public async ValueTask AppendAsync(string jobId, TransactionBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0)
        {
            return;
        }

        if (!_imports.TryGetValue(jobId, out var import))
        {
            var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            import = await JobImport.StartAsync(connection, jobId, _distributeRows, cancellationToken).ConfigureAwait(false);
            _imports[jobId] = import;
        }

        try
        {
            await import.WriteAsync(batch.Items, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // The COPY cannot go on after a failed write; the transaction rolls back and the caller's clean-up finds nothing.
            _imports.TryRemove(new KeyValuePair<string, JobImport>(jobId, import));
            await import.AbortAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Ends the job's COPY and commits its rows, which become visible all at once.</summary>
    async ValueTask ITransactionStore.CompleteAsync(string jobId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        if (!_imports.TryRemove(jobId, out var import))
        {
            return;
        }

        try
        {
            await import.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await import.AbortAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async IAsyncEnumerable<TransactionRecord> ReadAsync(string jobId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        if (await FindJobKeyAsync(connection, jobId, cancellationToken).ConfigureAwait(false) is not { } jobKey)
        {
            yield break;
        }

        // Rows arrive in import order and stream as read. No command timeout: the server sorts a large job before the
        // first row comes back, which can take minutes; the cancellation token still stops it.
        using var command = new NpgsqlCommand($"SELECT amount, date, is_revenue, description FROM {RowsTable(jobKey)} ORDER BY seq;", connection)
        {
            CommandTimeout = 0,
        };
        await foreach (var row in ReadRowsAsync(
            command,
            r => new TransactionRecord(r.GetDecimal(0), r.GetFieldValue<DateOnly>(1), r.GetBoolean(2), r.GetString(3)),
            cancellationToken).ConfigureAwait(false))
        {
            yield return row;
        }
    }

    /// <summary>Sums the job's rows per date in the server: on Citus each worker groups its own shards, and the coordinator merges.</summary>
    async ValueTask<IReadOnlyList<DailyAggregate>?> ITransactionStore.SumByDateAsync(string jobId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        if (await FindJobKeyAsync(connection, jobId, cancellationToken).ConfigureAwait(false) is not { } jobKey)
        {
            return [];
        }

        using var command = new NpgsqlCommand(
            $"""
            SELECT date, sum(amount), coalesce(sum(amount) FILTER (WHERE is_revenue), 0), count(*)
            FROM {RowsTable(jobKey)} GROUP BY date;
            """,
            connection)
        {
            CommandTimeout = 0,
        };
        return await ReadRowsAsync(
                command,
                r => new DailyAggregate(r.GetFieldValue<DateOnly>(0), r.GetDecimal(1), r.GetDecimal(2), r.GetInt64(3)),
                cancellationToken)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    async ValueTask<IReadOnlyList<string>> ITransactionStore.ListStoredJobsAsync(CancellationToken cancellationToken) =>
        await QueryAsync("SELECT job_id FROM transaction_jobs;", _ => { }, reader => reader.GetString(0), cancellationToken)
            .ToListAsync(cancellationToken).ConfigureAwait(false);

    async ValueTask ITransactionStore.DeleteAsync(string jobId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        if (_imports.TryRemove(jobId, out var import))
        {
            // An import still open: rolling it back removes everything it wrote.
            await import.AbortAsync().ConfigureAwait(false);
        }

        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);
        long? jobKey;
        using (var forget = new NpgsqlCommand("DELETE FROM transaction_jobs WHERE job_id = @job_id RETURNING job_key;", connection, transaction))
        {
            forget.Parameters.Add(new NpgsqlParameter<string>("job_id", jobId));
            jobKey = (long?)await forget.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }

        if (jobKey is { } key)
        {
            // A later append starts over under a new key, so rows of the old one can never reappear.
            using var drop = new NpgsqlCommand($"DROP TABLE IF EXISTS {RowsTable(key)};", connection, transaction);
            await drop.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async ValueTask<long?> FindJobKeyAsync(NpgsqlConnection connection, string jobId, CancellationToken cancellationToken)
    {
        using var find = new NpgsqlCommand("SELECT job_key FROM transaction_jobs WHERE job_id = @job_id;", connection);
        find.Parameters.Add(new NpgsqlParameter<string>("job_id", jobId));
        return (long?)await find.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>One job's import on PostgreSQL: a connection, its transaction, and a binary COPY into the job's table that stays open across batches.</summary>
internal sealed class JobImport : IAsyncDisposable, IDisposable
{
    /// <summary>How many encoded bytes are sent to the server at a time.</summary>
    private const int CopyBufferBytes = 64 * 1024;

    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private readonly NpgsqlRawCopyStream _copy;
    private readonly BinaryCopyRows _encoded = new(CopyBufferBytes);
    private readonly string _jobId;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _seq;
    private int _disposed;

    private JobImport(NpgsqlConnection connection, NpgsqlTransaction transaction, NpgsqlRawCopyStream copy, string jobId, long seq)
    {
        _connection = connection;
        _transaction = transaction;
        _copy = copy;
        _jobId = jobId;
        _seq = seq;
    }

    /// <summary>Begins the transaction, takes the job's key, creates its table and starts the COPY; owns <paramref name="connection"/> from here.</summary>
    /// <param name="connection">An open connection, which the import owns from here.</param>
    /// <param name="jobId">The job.</param>
    /// <param name="distribute">Makes the job's new table a Citus distributed table, spread over the workers by <c>seq</c>.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<JobImport> StartAsync(NpgsqlConnection connection, string jobId, bool distribute, CancellationToken cancellationToken)
    {
        NpgsqlTransaction? transaction = null;
        try
        {
            transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

            // A job whose rows were committed before (a store used outside the pipeline's one import per job) goes on
            // under its key, in its table, without FREEZE, which needs a table made in this transaction.
            using var key = new NpgsqlCommand(
                """
                INSERT INTO transaction_jobs AS t (job_id, last_seq) VALUES (@job_id, 0)
                ON CONFLICT (job_id) DO UPDATE SET last_seq = t.last_seq
                RETURNING job_key, last_seq, xmax = 0;
                """,
                connection,
                transaction);
            key.Parameters.Add(new NpgsqlParameter<string>("job_id", jobId));
            long jobKey, lastSeq;
            bool created;
            var reader = await key.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                (jobKey, lastSeq, created) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetBoolean(2));
            }

            var table = PostgreSqlStore.RowsTable(jobKey);
            using (var create = new NpgsqlCommand(
                $"CREATE TABLE IF NOT EXISTS {table} (seq bigint NOT NULL, amount numeric(15,2) NOT NULL, date date NOT NULL, is_revenue boolean NOT NULL, description text NOT NULL);",
                connection,
                transaction))
            {
                await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            if (distribute && created)
            {
                // In the same transaction: the shards are made on the workers with it, and go if it rolls back. A colocation
                // group of its own: tables of the default group lock it until their transaction ends, which would make
                // every other job's import wait for this one to finish. A job's rows are never joined with another's.
                // Two shards per worker: every worker takes a job's rows and groups them on two cores, while an import
                // needs few connections to each worker (one per shard it writes), so concurrent imports do not run
                // the workers out of connection slots as Citus's default of 32 shards per table would.
                using var distributeTable = new NpgsqlCommand(
                    """
                    SELECT create_distributed_table(@table, 'seq', colocate_with => 'none', shard_count => greatest(2, 2 * (
                        SELECT count(*) FROM pg_dist_node WHERE noderole = 'primary' AND isactive AND shouldhaveshards)::int));
                    """,
                    connection,
                    transaction);
                distributeTable.Parameters.Add(new NpgsqlParameter<string>("table", table));
                await distributeTable.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            var options = created ? "FORMAT BINARY, FREEZE" : "FORMAT BINARY";
            var copy = await connection.BeginRawBinaryCopyAsync(
                $"COPY {table} (seq, amount, date, is_revenue, description) FROM STDIN ({options});", cancellationToken).ConfigureAwait(false);
            return new JobImport(connection, transaction, copy, jobId, lastSeq);
        }
        catch
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync().ConfigureAwait(false);
            }

            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Encodes the rows into the COPY, sending each full buffer; the last part of a batch waits for the next one or the commit.</summary>
    /// <exception cref="ArgumentException">An amount has more than 2 decimals.</exception>
    /// <exception cref="InvalidOperationException">The import was aborted (its job deleted or the store disposed) meanwhile.</exception>
    public async Task WriteAsync(ReadOnlyMemory<TransactionRecord> rows, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfAborted();
            for (var i = 0; i < rows.Length; i++)
            {
                _encoded.Add(++_seq, rows.Span[i]);
                if (_encoded.IsNearlyFull)
                {
                    await SendAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Ends the COPY, records the job's last sequence and commits; the connection goes back to the pool.</summary>
    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfAborted();
            await CommitHeldAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task CommitHeldAsync(CancellationToken cancellationToken)
    {
        _encoded.End();
        await SendAsync(cancellationToken).ConfigureAwait(false);
        await _copy.DisposeAsync().ConfigureAwait(false);
        using (var last = new NpgsqlCommand("UPDATE transaction_jobs SET last_seq = @seq WHERE job_id = @job_id;", _connection, _transaction))
        {
            last.Parameters.Add(new NpgsqlParameter<long>("seq", _seq));
            last.Parameters.Add(new NpgsqlParameter<string>("job_id", _jobId));
            await last.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await _transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        await ReleaseAsync().ConfigureAwait(false);
    }

    /// <summary>Cancels the COPY and rolls everything back, after any write in progress; never throws, since it runs on failure paths.</summary>
    public async Task AbortAsync()
    {
        // Waits for a write in progress (another caller's delete, the store's disposal), so the connection and the
        // encoding buffer are never used by two callers at once; the next write then finds the import aborted.
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (Volatile.Read(ref _disposed) == 1)
            {
                return;
            }

            try
            {
                await _copy.CancelAsync().ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Whatever ended the COPY already says why; this path only lets go.
            catch (Exception)
#pragma warning restore CA1031
            {
                // The COPY ended already (the server went away or refused it): the first error says why, not this one.
            }

            await ReleaseAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private void ThrowIfAborted()
    {
        if (Volatile.Read(ref _disposed) == 1)
        {
            throw new InvalidOperationException($"The import of job '{_jobId}' was aborted: its rows were deleted or the store was disposed.");
        }
    }

    private async Task SendAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _copy.WriteAsync(_encoded.Written, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectDisposedException ex) when (_connection.FullState.HasFlag(ConnectionState.Broken))
        {
            // A connection that broke mid-COPY ends the copy stream first; the cause is the broken connection.
            throw new NpgsqlException("The connection to the PostgreSQL server broke during the COPY of a job's rows.", new IOException(ex.Message, ex));
        }

        _encoded.Clear();
    }

    /// <summary>Drops the connection without a goodbye: the server rolls back what was not committed.</summary>
    /// <remarks>
    /// For a store disposed synchronously. It does not wait for a write in progress, so it leaves the encoding buffer
    /// to the garbage collector instead of returning it to the pool under that write.
    /// </remarks>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        try
        {
            _connection.Dispose();
        }
        catch (Exception ex) when (ex is NpgsqlException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // Closing a connection mid-COPY may fail; the session ends either way.
        }
    }

    /// <summary>Aborts the import, as <see cref="AbortAsync"/>.</summary>
    public async ValueTask DisposeAsync() => await AbortAsync().ConfigureAwait(false);

    /// <summary>Releases the connection; a transaction not committed is rolled back. Called holding the gate.</summary>
    private async ValueTask ReleaseAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _encoded.Dispose();
        try
        {
            await _transaction.DisposeAsync().ConfigureAwait(false);
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // A broken connection cannot roll back; the server does, as it drops the session.
        }
    }
}
