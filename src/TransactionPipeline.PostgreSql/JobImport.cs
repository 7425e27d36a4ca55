using System.Data;
using System.Globalization;
using Npgsql;

namespace TransactionPipeline.PostgreSql;

/// <summary>
/// One job's import on PostgreSQL: one or more binary COPY streams into the job's row tables, each on a connection and
/// in a transaction of its own, that stay open across batches.
/// </summary>
/// <remarks>
/// <para>
/// The first stream (the primary) writes the job's key row and its first table, <c>transaction_rows_KEY</c>; each
/// further stream writes a table of its own, <c>transaction_rows_KEY_N</c>, created in its transaction so that it may
/// be loaded with <c>FREEZE</c>. Whole batches go to the streams in turn, with one sequence over the job, so reading
/// the tables together in <c>seq</c> order gives the import order back.
/// </para>
/// <para>
/// The further streams commit first and the primary last: until it has, the key row that leads a reader to the tables
/// is not there, so nothing of the job is visible. The primary holds a transaction-scoped advisory lock on the job's
/// key while it runs, which tells <see cref="PostgreSqlStore"/>'s clean-up of tables left by a process that died
/// between those commits from the tables of an import that is still committing.
/// </para>
/// </remarks>
internal sealed class JobImport : IAsyncDisposable, IDisposable
{
    /// <summary>How many encoded bytes are sent to the server at a time, per stream.</summary>
    private const int CopyBufferBytes = 64 * 1024;

    /// <summary>The advisory lock that the primary stream holds on the job's key: the same expression in <see cref="PostgreSqlStore"/>'s clean-up.</summary>
    internal const string ImportLockKey = "hashtextextended('TransactionPipeline.PostgreSql import ' || current_schema() || ' ' || @job_key::text, 0)";

    private const string TableColumns = "(seq bigint NOT NULL, amount numeric(15,2) NOT NULL, date date NOT NULL, is_revenue boolean NOT NULL, description text NOT NULL)";

    private readonly CopyStream[] _streams;
    private readonly Func<CancellationToken, ValueTask<NpgsqlConnection>> _open;
    private readonly string _jobId;
    private readonly long _jobKey;
    private readonly int _rowTables;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _seq;
    private long _batches;
    private bool _furtherCommitted;
    private int _disposed;

    private JobImport(CopyStream[] streams, Func<CancellationToken, ValueTask<NpgsqlConnection>> open, string jobId, long jobKey, long seq, int rowTables)
    {
        _streams = streams;
        _open = open;
        _jobId = jobId;
        _jobKey = jobKey;
        _seq = seq;
        _rowTables = rowTables;
    }

    /// <summary>Gets the name of a job's row table: the primary's for <paramref name="index"/> 0, a further stream's after it.</summary>
    internal static string RowsTable(long jobKey, int index) => index == 0
        ? string.Create(CultureInfo.InvariantCulture, $"transaction_rows_{jobKey}")
        : string.Create(CultureInfo.InvariantCulture, $"transaction_rows_{jobKey}_{index}");

    /// <summary>Begins the primary transaction, takes the job's key, creates its tables and starts the COPY streams.</summary>
    /// <param name="open">Opens a connection pointed at the store's schema.</param>
    /// <param name="jobId">The job.</param>
    /// <param name="streams">How many COPY streams a new job's import uses; 1 on Citus, whose COPY spreads rows over the workers itself.</param>
    /// <param name="distribute">Makes the job's new table a Citus distributed table, spread over the workers by <c>seq</c>.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<JobImport> StartAsync(
        Func<CancellationToken, ValueTask<NpgsqlConnection>> open, string jobId, int streams, bool distribute, CancellationToken cancellationToken)
    {
        var started = new List<CopyStream>(streams);
        try
        {
            var primary = await CopyStream.BeginAsync(open, cancellationToken).ConfigureAwait(false);
            started.Add(primary);

            // A job whose rows were committed before (a store used outside the pipeline's one import per job) goes on
            // under its key, in its first table, on one stream and without FREEZE, which needs a table made in this transaction.
            using var key = primary.Command(
                """
                INSERT INTO transaction_jobs AS t (job_id, last_seq) VALUES (@job_id, 0)
                ON CONFLICT (job_id) DO UPDATE SET last_seq = t.last_seq
                RETURNING job_key, last_seq, row_tables, xmax = 0;
                """);
            key.Parameters.Add(new NpgsqlParameter<string>("job_id", jobId));
            long jobKey, lastSeq;
            int rowTables;
            bool created;
            var reader = await key.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                (jobKey, lastSeq, rowTables, created) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt32(2), reader.GetBoolean(3));
            }

            using (var hold = primary.Command($"SELECT pg_advisory_xact_lock({ImportLockKey});"))
            {
                hold.Parameters.Add(new NpgsqlParameter<long>("job_key", jobKey));
                await hold.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await primary.CreateTableAndCopyAsync(RowsTable(jobKey, 0), created, distribute, cancellationToken).ConfigureAwait(false);
            if (created && streams > 1)
            {
                var further = await Task.WhenAll(Enumerable.Range(1, streams - 1).Select(async index =>
                {
                    var stream = await CopyStream.BeginAsync(open, cancellationToken).ConfigureAwait(false);
                    lock (started)
                    {
                        started.Add(stream);
                    }

                    await stream.CreateTableAndCopyAsync(RowsTable(jobKey, index), freeze: true, distribute: false, cancellationToken).ConfigureAwait(false);
                    return stream;
                })).ConfigureAwait(false);
                return new JobImport([primary, .. further], open, jobId, jobKey, lastSeq, streams);
            }

            return new JobImport([primary], open, jobId, jobKey, lastSeq, rowTables);
        }
        catch
        {
            foreach (var stream in started)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>Encodes the batch into the next stream's COPY, sending each full buffer; the last part waits for that stream's next batch or the commit.</summary>
    /// <exception cref="ArgumentException">An amount has more than 2 decimals.</exception>
    /// <exception cref="InvalidOperationException">The import was aborted (its job deleted or the store disposed) meanwhile.</exception>
    public async Task WriteAsync(ReadOnlyMemory<TransactionRecord> rows, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfAborted();
            await _streams[_batches++ % _streams.Length].WriteAsync(_seq + 1, rows, cancellationToken).ConfigureAwait(false);
            _seq += rows.Length;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Ends the COPY streams, commits the further ones, then records the job's last sequence and commits the primary; the connections go back to the pool.</summary>
    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfAborted();
            await Task.WhenAll(_streams.Select(s => s.EndCopyAsync(cancellationToken))).ConfigureAwait(false);
            _furtherCommitted = true;
            await Task.WhenAll(_streams.Skip(1).Select(s => s.CommitAsync(cancellationToken))).ConfigureAwait(false);
            var primary = _streams[0];
            using (var last = primary.Command("UPDATE transaction_jobs SET last_seq = @seq, row_tables = @row_tables WHERE job_id = @job_id;"))
            {
                last.Parameters.Add(new NpgsqlParameter<long>("seq", _seq));
                last.Parameters.Add(new NpgsqlParameter<int>("row_tables", _rowTables));
                last.Parameters.Add(new NpgsqlParameter<string>("job_id", _jobId));
                await last.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await primary.CommitAsync(cancellationToken).ConfigureAwait(false);
            _furtherCommitted = false;
            await ReleaseAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Cancels the COPY streams and rolls everything back, after any write in progress; never throws, since it runs on failure paths.</summary>
    public async Task AbortAsync()
    {
        // Waits for a write in progress (another caller's delete, the store's disposal), so a connection and its
        // encoding buffer are never used by two callers at once; the next write then finds the import aborted.
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (Volatile.Read(ref _disposed) == 1)
            {
                return;
            }

            foreach (var stream in _streams)
            {
                await stream.CancelCopyAsync().ConfigureAwait(false);
            }

            await ReleaseAsync().ConfigureAwait(false);
            if (_furtherCommitted)
            {
                await DropFurtherTablesAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Drops the connections without a goodbye: the server rolls back what was not committed.</summary>
    /// <remarks>
    /// For a store disposed synchronously. It does not wait for a write in progress, so it leaves the encoding buffers
    /// to the garbage collector instead of returning them to the pool under that write.
    /// </remarks>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        foreach (var stream in _streams)
        {
            stream.Drop();
        }
    }

    /// <summary>Aborts the import, as <see cref="AbortAsync"/>.</summary>
    public async ValueTask DisposeAsync() => await AbortAsync().ConfigureAwait(false);

    private void ThrowIfAborted()
    {
        if (Volatile.Read(ref _disposed) == 1)
        {
            throw new InvalidOperationException($"The import of job '{_jobId}' was aborted: its rows were deleted or the store was disposed.");
        }
    }

    /// <summary>Releases every connection; a transaction not committed is rolled back. Called holding the gate.</summary>
    private async ValueTask ReleaseAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        foreach (var stream in _streams)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Drops the tables of further streams that committed before the primary failed; what this cannot drop, the store's start-up clean-up does.</summary>
    private async Task DropFurtherTablesAsync()
    {
        try
        {
            var connection = await _open(CancellationToken.None).ConfigureAwait(false);
            await using var connectionScope = connection.ConfigureAwait(false);
            var tables = string.Join(", ", Enumerable.Range(1, _streams.Length - 1).Select(i => RowsTable(_jobKey, i)));
            using var drop = new NpgsqlCommand($"DROP TABLE IF EXISTS {tables};", connection);
            await drop.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or IOException or InvalidOperationException or TimeoutException)
        {
            // The server is away: the tables have no key row, so no reader sees them, and the next start-up drops them.
        }
    }

    /// <summary>One connection, its transaction and a raw binary COPY into one table, with the buffer that encodes rows for it.</summary>
    private sealed class CopyStream : IAsyncDisposable
    {
        private readonly NpgsqlConnection _connection;
        private readonly NpgsqlTransaction _transaction;
        private readonly BinaryCopyRows _encoded = new(CopyBufferBytes);
        private NpgsqlRawCopyStream? _copy;
        private int _released;

        private CopyStream(NpgsqlConnection connection, NpgsqlTransaction transaction)
        {
            _connection = connection;
            _transaction = transaction;
        }

        public static async Task<CopyStream> BeginAsync(Func<CancellationToken, ValueTask<NpgsqlConnection>> open, CancellationToken cancellationToken)
        {
            var connection = await open(cancellationToken).ConfigureAwait(false);
            try
            {
                var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                return new CopyStream(connection, transaction);
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        public NpgsqlCommand Command(string sql) => new(sql, _connection, _transaction);

        /// <summary>Creates the table when it is not there (and distributes a new one on Citus), then starts the COPY into it.</summary>
        public async Task CreateTableAndCopyAsync(string table, bool freeze, bool distribute, CancellationToken cancellationToken)
        {
            using (var create = Command($"CREATE TABLE IF NOT EXISTS {table} {TableColumns};"))
            {
                await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            if (distribute && freeze)
            {
                // In the same transaction: the shards are made on the workers with it, and go if it rolls back. A colocation
                // group of its own: tables of the default group lock it until their transaction ends, which would make
                // every other job's import wait for this one to finish. A job's rows are never joined with another's.
                // Two shards per worker: every worker takes a job's rows and groups them on two cores, while an import
                // needs few connections to each worker (one per shard it writes), so concurrent imports do not run
                // the workers out of connection slots as Citus's default of 32 shards per table would.
                using var distributeTable = Command(
                    """
                    SELECT create_distributed_table(@table, 'seq', colocate_with => 'none', shard_count => greatest(2, 2 * (
                        SELECT count(*) FROM pg_dist_node WHERE noderole = 'primary' AND isactive AND shouldhaveshards)::int));
                    """);
                distributeTable.Parameters.Add(new NpgsqlParameter<string>("table", table));
                await distributeTable.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            var options = freeze ? "FORMAT BINARY, FREEZE" : "FORMAT BINARY";
            _copy = await _connection.BeginRawBinaryCopyAsync(
                $"COPY {table} (seq, amount, date, is_revenue, description) FROM STDIN ({options});", cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Encodes the rows, numbered from <paramref name="firstSeq"/>, sending each full buffer.</summary>
        public async Task WriteAsync(long firstSeq, ReadOnlyMemory<TransactionRecord> rows, CancellationToken cancellationToken)
        {
            for (var i = 0; i < rows.Length; i++)
            {
                _encoded.Add(firstSeq + i, rows.Span[i]);
                if (_encoded.IsNearlyFull)
                {
                    await SendAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }

        public async Task EndCopyAsync(CancellationToken cancellationToken)
        {
            _encoded.End();
            await SendAsync(cancellationToken).ConfigureAwait(false);
            await _copy!.DisposeAsync().ConfigureAwait(false);
        }

        public async Task CommitAsync(CancellationToken cancellationToken) =>
            await _transaction.CommitAsync(cancellationToken).ConfigureAwait(false);

        public async Task CancelCopyAsync()
        {
            if (_copy is null)
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
        }

        /// <summary>Gives the connection back; a transaction not committed is rolled back.</summary>
        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 1)
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

        /// <summary>Closes the connection at once, for a synchronous disposal; the encoding buffer is left to the garbage collector.</summary>
        public void Drop()
        {
            if (Interlocked.Exchange(ref _released, 1) == 1)
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

        private async Task SendAsync(CancellationToken cancellationToken)
        {
            try
            {
                await _copy!.WriteAsync(_encoded.Written, cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectDisposedException ex) when (_connection.FullState.HasFlag(ConnectionState.Broken))
            {
                // A connection that broke mid-COPY ends the copy stream first; the cause is the broken connection.
                throw new NpgsqlException("The connection to the PostgreSQL server broke during the COPY of a job's rows.", new IOException(ex.Message, ex));
            }

            _encoded.Clear();
        }
    }
}
