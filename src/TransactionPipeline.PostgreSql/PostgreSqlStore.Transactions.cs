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

    /// <summary>The rows of one job, as a <c>FROM</c> item: its one table, or its tables together when several COPY streams wrote them.</summary>
    /// <remarks>
    /// No index: rows are appended by COPY and read back whole, in <c>seq</c> order. A table per job (or a few, one per
    /// COPY stream) makes removing a job's rows one <c>DROP TABLE</c>, which takes the same short time for any size,
    /// gives the space back at once, leaves no dead rows for vacuum and locks only that job's tables, so imports of other
    /// jobs go on.
    /// </remarks>
    private static string RowsSource(long jobKey, int rowTables) => rowTables == 1
        ? JobImport.RowsTable(jobKey, 0)
        : "(" + string.Join(
            " UNION ALL ",
            Enumerable.Range(0, rowTables).Select(i => $"SELECT seq, amount, date, is_revenue, description FROM {JobImport.RowsTable(jobKey, i)}")) + ") AS job_rows";

    private static string RowTablesList(long jobKey, int rowTables) =>
        string.Join(", ", Enumerable.Range(0, rowTables).Select(i => JobImport.RowsTable(jobKey, i)));

    /// <summary>Appends the batch to the job's import: binary COPY streams, each in one transaction, that run from the job's first batch to <see cref="ITransactionStore.CompleteAsync"/>.</summary>
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
            if (!_schemaReady)
            {
                await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
            }

            var streams = _distributeRows ? 1 : _copyStreams;
            import = await JobImport.StartAsync(OpenAsync, jobId, streams, _distributeRows, cancellationToken).ConfigureAwait(false);
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
        if (await FindJobKeyAsync(connection, jobId, cancellationToken).ConfigureAwait(false) is not var (jobKey, rowTables))
        {
            yield break;
        }

        // Rows arrive in import order and stream as read. No command timeout: the server sorts a large job before the
        // first row comes back, which can take minutes; the cancellation token still stops it.
        using var command = new NpgsqlCommand($"SELECT amount, date, is_revenue, description FROM {RowsSource(jobKey, rowTables)} ORDER BY seq;", connection)
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
        if (await FindJobKeyAsync(connection, jobId, cancellationToken).ConfigureAwait(false) is not var (jobKey, rowTables))
        {
            return [];
        }

        using var command = new NpgsqlCommand(
            $"""
            SELECT date, sum(amount), coalesce(sum(amount) FILTER (WHERE is_revenue), 0), count(*)
            FROM {RowsSource(jobKey, rowTables)} GROUP BY date;
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
        (long Key, int RowTables)? job;
        using (var forget = new NpgsqlCommand("DELETE FROM transaction_jobs WHERE job_id = @job_id RETURNING job_key, row_tables;", connection, transaction))
        {
            forget.Parameters.Add(new NpgsqlParameter<string>("job_id", jobId));
            job = await ReadRowsAsync(forget, r => (r.GetInt64(0), r.GetInt32(1)), cancellationToken)
                .Select(j => ((long, int)?)j).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        }

        if (job is var (key, rowTables))
        {
            // A later append starts over under a new key, so rows of the old one can never reappear.
            using var drop = new NpgsqlCommand($"DROP TABLE IF EXISTS {RowTablesList(key, rowTables)};", connection, transaction);
            await drop.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Finds the job's key and how many row tables it has, or <see langword="null"/> when no import of it has committed.</summary>
    private static async ValueTask<(long Key, int RowTables)?> FindJobKeyAsync(NpgsqlConnection connection, string jobId, CancellationToken cancellationToken)
    {
        using var find = new NpgsqlCommand("SELECT job_key, row_tables FROM transaction_jobs WHERE job_id = @job_id;", connection);
        find.Parameters.Add(new NpgsqlParameter<string>("job_id", jobId));
        return await ReadRowsAsync(find, r => (r.GetInt64(0), r.GetInt32(1)), cancellationToken)
            .Select(j => ((long, int)?)j).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Drops the tables of further COPY streams that a process left when it died between their commit and the primary's.</summary>
    /// <remarks>
    /// Such a table has no key row, so no reader ever saw it. One whose import is still committing on another host has
    /// its key's advisory lock held by that import's primary transaction, and is left to it.
    /// </remarks>
    private static async ValueTask DropLeftoverRowTablesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        using var find = new NpgsqlCommand(
            """
            SELECT c.relname::text, split_part(c.relname::text, '_', 3)::bigint
            FROM pg_class c
            WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND c.relname ~ '^transaction_rows_[0-9]+_[0-9]+$'
              AND NOT EXISTS (SELECT FROM transaction_jobs j WHERE j.job_key = split_part(c.relname::text, '_', 3)::bigint);
            """,
            connection);
        var leftovers = await ReadRowsAsync(find, r => (Table: r.GetString(0), Key: r.GetInt64(1)), cancellationToken)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (table, key) in leftovers)
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using var transactionScope = transaction.ConfigureAwait(false);
            using var drop = new NpgsqlCommand(
                $"""
                SELECT pg_try_advisory_xact_lock({JobImport.ImportLockKey})
                   AND NOT EXISTS (SELECT FROM transaction_jobs WHERE job_key = @job_key);
                """,
                connection,
                transaction);
            drop.Parameters.Add(new NpgsqlParameter<long>("job_key", key));
            if ((bool)(await drop.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
            {
                await ExecuteAsync(connection, transaction, $"DROP TABLE IF EXISTS {table};", cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
