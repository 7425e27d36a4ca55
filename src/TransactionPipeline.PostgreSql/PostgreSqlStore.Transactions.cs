using System.Data;
using System.Globalization;
using System.Runtime.CompilerServices;
using Npgsql;

namespace TransactionPipeline.PostgreSql;

internal sealed partial class PostgreSqlStore
{
    /// <summary>How many encoded bytes are sent to the server at a time.</summary>
    private const int CopyBufferBytes = 64 * 1024;

    /// <summary>The table of one job's rows: created by its first batch, dropped whole when its rows are deleted.</summary>
    /// <remarks>
    /// No index: rows are appended by COPY and read back whole, in <c>seq</c> order. A table per job makes removing a job's
    /// rows one <c>DROP TABLE</c>, which takes the same short time for any size, gives the space back at once, leaves
    /// no dead rows for vacuum and locks only that table, so imports of other jobs go on.
    /// </remarks>
    private static string RowsTable(long jobKey) => string.Create(CultureInfo.InvariantCulture, $"transaction_rows_{jobKey}");

    /// <summary>Appends the batch with one binary COPY, in a transaction that also advances the job's row sequence.</summary>
    /// <remarks>
    /// The transaction commits with <c>synchronous_commit</c> off: it does not wait for its WAL to reach the disk. That
    /// loses nothing a job relies on: the import's later progress and completion updates commit synchronously, and
    /// flushing their WAL flushes every batch written before them. A server crash before that leaves a job whose import
    /// never completed, which the pipeline fails as interrupted.
    /// </remarks>
    public async ValueTask AppendAsync(string jobId, TransactionBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0)
        {
            return;
        }

        var rows = batch.Items;
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);
        var (jobKey, lastSeq) = await ReserveSequenceAsync(connection, transaction, jobId, rows.Length, cancellationToken).ConfigureAwait(false);
        var copySql = $"COPY {RowsTable(jobKey)} (seq, amount, date, is_revenue, description) FROM STDIN (FORMAT BINARY);";
        var seq = lastSeq - rows.Length;

        // Rows are encoded here and sent as raw binary COPY data (BinaryCopyRows says why). If encoding (an amount with
        // more than 2 decimals) or sending fails part way, the COPY is cancelled and the transaction rolls back: a
        // batch is stored whole or not at all.
        using var encoded = new BinaryCopyRows(CopyBufferBytes);
        var copy = await connection.BeginRawBinaryCopyAsync(copySql, cancellationToken).ConfigureAwait(false);
        await using (copy.ConfigureAwait(false))
        {
            try
            {
                for (var i = 0; i < rows.Length; i++)
                {
                    encoded.Add(++seq, rows.Span[i]);
                    if (encoded.IsNearlyFull)
                    {
                        await copy.WriteAsync(encoded.Written, cancellationToken).ConfigureAwait(false);
                        encoded.Clear();
                    }
                }

                encoded.End();
                await copy.WriteAsync(encoded.Written, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                try
                {
                    await copy.CancelAsync().ConfigureAwait(false);
                }
                catch (Exception cancel) when (cancel is ObjectDisposedException or NpgsqlException or IOException or InvalidOperationException)
                {
                    // The COPY ended already (the server went away or refused it): the first error says why, not this one.
                }

                if (ex is ObjectDisposedException && connection.FullState.HasFlag(ConnectionState.Broken))
                {
                    // A connection that broke mid-COPY ends the copy stream first; the cause is the broken connection.
                    throw new NpgsqlException("The connection to the PostgreSQL server broke during the COPY of a batch.", new IOException(ex.Message, ex));
                }

                throw;
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
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

    async ValueTask<IReadOnlyList<string>> ITransactionStore.ListStoredJobsAsync(CancellationToken cancellationToken) =>
        await QueryAsync("SELECT job_id FROM transaction_jobs;", _ => { }, reader => reader.GetString(0), cancellationToken)
            .ToListAsync(cancellationToken).ConfigureAwait(false);

    async ValueTask ITransactionStore.DeleteAsync(string jobId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
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

    /// <summary>Advances the job's row sequence by <paramref name="count"/>, creating its key on the first batch.</summary>
    /// <returns>The job's key and the sequence of the batch's last row.</returns>
    private static async ValueTask<(long JobKey, long LastSeq)> ReserveSequenceAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string jobId, int count, CancellationToken cancellationToken)
    {
        // The row lock taken here is held to commit, so appends of one job can never interleave their sequences.
        using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("UPDATE transaction_jobs SET last_seq = last_seq + $1 WHERE job_id = $2 RETURNING job_key, last_seq;")
                {
                    Parameters = { new NpgsqlParameter<long> { TypedValue = count }, new NpgsqlParameter<string> { TypedValue = jobId } },
                },
                new NpgsqlBatchCommand("SET LOCAL synchronous_commit TO OFF;"),
            },
        };
        var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return (reader.GetInt64(0), reader.GetInt64(1));
            }
        }

        // First batch of the job. The upsert only draws an identity value here, not once per batch.
        using var insert = new NpgsqlCommand(
            """
            INSERT INTO transaction_jobs AS t (job_id, last_seq) VALUES (@job_id, @count)
            ON CONFLICT (job_id) DO UPDATE SET last_seq = t.last_seq + EXCLUDED.last_seq
            RETURNING job_key, last_seq;
            """,
            connection,
            transaction);
        insert.Parameters.Add(new NpgsqlParameter<string>("job_id", jobId));
        insert.Parameters.Add(new NpgsqlParameter<long>("count", count));
        (long JobKey, long LastSeq) reserved;
        var inserted = await insert.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (inserted.ConfigureAwait(false))
        {
            await inserted.ReadAsync(cancellationToken).ConfigureAwait(false);
            reserved = (inserted.GetInt64(0), inserted.GetInt64(1));
        }

        using var create = new NpgsqlCommand(
            $"CREATE TABLE IF NOT EXISTS {RowsTable(reserved.JobKey)} (seq bigint NOT NULL, amount numeric(15,2) NOT NULL, date date NOT NULL, is_revenue boolean NOT NULL, description text NOT NULL);",
            connection,
            transaction);
        await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return reserved;
    }

    private static async ValueTask<long?> FindJobKeyAsync(NpgsqlConnection connection, string jobId, CancellationToken cancellationToken)
    {
        using var find = new NpgsqlCommand("SELECT job_key FROM transaction_jobs WHERE job_id = @job_id;", connection);
        find.Parameters.Add(new NpgsqlParameter<string>("job_id", jobId));
        return (long?)await find.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }
}
