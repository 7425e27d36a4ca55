using Microsoft.Data.Sqlite;

namespace TransactionPipeline.Sqlite;

internal sealed partial class SqliteStore
{
    private static readonly string[] ResultTables = ["results", "aggregates", "assessments", "offers"];

    public async ValueTask<bool> SaveAsync(JobResult result, string? ownerId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);

        // Delete and insert in one transaction: readers see the old results or the new ones, never a mix. The write
        // transaction holds SQLite's write lock, so no claim slips in between the owner check and the insert.
        using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        if (ownerId is not null)
        {
            using var held = CreateCommand(
                connection,
                transaction,
                $"SELECT 1 FROM jobs WHERE id = @id AND owner = @owner AND state NOT IN {TerminalStates};",
                ("@id", result.JobId),
                ("@owner", ownerId));
            if (await held.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
            {
                return false;
            }
        }

        await DeleteResultsAsync(connection, transaction, result.JobId, cancellationToken).ConfigureAwait(false);
        var rows = new JobRows(connection, transaction, result.JobId);
        await rows.InsertAsync(
            "results",
            ["transactions_processed", "model_version", "config_used_json"],
            [result],
            r => [r.TransactionsProcessed, r.ModelVersion, r.ConfigUsedJson],
            cancellationToken).ConfigureAwait(false);
        await rows.InsertAsync(
            "aggregates",
            ["date", "total_amount", "revenue_amount", "transaction_count"],
            result.Aggregates,
            a => [DateToText(a.Date), DecimalToText(a.TotalAmount), DecimalToText(a.RevenueAmount), a.TransactionCount],
            cancellationToken).ConfigureAwait(false);
        await rows.InsertAsync(
            "assessments",
            ["date", "credit_score", "risk_level", "factors_json"],
            result.Assessments,
            a => [DateToText(a.Date), a.CreditScore, RiskToText(a.RiskLevel), StoredJson.WriteFactors(a.Factors)],
            cancellationToken).ConfigureAwait(false);
        await rows.InsertAsync(
            "offers",
            ["date", "offer_type", "amount", "interest_rate", "credit_score", "risk_level", "transaction_count"],
            result.Offers,
            o => [DateToText(o.Date), o.OfferType, DecimalToText(o.Amount), DecimalToText(o.InterestRate), o.CreditScore, RiskToText(o.RiskLevel), o.TransactionCount],
            cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    async ValueTask<JobResult?> IResultStore.FindAsync(string jobId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);

        // A deferred read transaction pins one snapshot, so the header and its rows come from the same save.
        using var transaction = connection.BeginTransaction(deferred: true);
        var rows = new JobRows(connection, transaction, jobId);
        var header = await rows.ReadAsync(
            "SELECT transactions_processed, model_version, config_used_json FROM results WHERE job_id = @job_id;",
            r => (Processed: r.GetInt64(0), Version: r.GetString(1), Config: NullableString(r, 2)),
            cancellationToken).ConfigureAwait(false);
        if (header.Count == 0)
        {
            return null;
        }

        // Rows come back in the order they were saved (rowid order within the job).
        var aggregates = await rows.ReadAsync(
            "SELECT date, total_amount, revenue_amount, transaction_count FROM aggregates WHERE job_id = @job_id ORDER BY rowid;",
            r => new DailyAggregate(TextToDate(r.GetString(0)), TextToDecimal(r.GetString(1)), TextToDecimal(r.GetString(2)), r.GetInt64(3)),
            cancellationToken).ConfigureAwait(false);
        var assessments = await rows.ReadAsync(
            "SELECT date, credit_score, risk_level, factors_json FROM assessments WHERE job_id = @job_id ORDER BY rowid;",
            r => new CreditAssessment(TextToDate(r.GetString(0)), r.GetInt32(1), TextToRisk(r.GetString(2)), StoredJson.ReadFactors(r.GetString(3))),
            cancellationToken).ConfigureAwait(false);
        var offers = await rows.ReadAsync(
            """
            SELECT date, offer_type, amount, interest_rate, credit_score, risk_level, transaction_count
            FROM offers WHERE job_id = @job_id ORDER BY rowid;
            """,
            r => new CreditOffer(
                TextToDate(r.GetString(0)),
                r.GetString(1),
                TextToDecimal(r.GetString(2)),
                TextToDecimal(r.GetString(3)),
                r.GetInt32(4),
                TextToRisk(r.GetString(5)),
                r.GetInt64(6)),
            cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);

        return new JobResult
        {
            JobId = jobId,
            Aggregates = aggregates,
            Assessments = assessments,
            Offers = offers,
            TransactionsProcessed = header[0].Processed,
            ModelVersion = header[0].Version,
            ConfigUsedJson = header[0].Config,
        };
    }

    async ValueTask IResultStore.DeleteAsync(string jobId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        await DeleteResultsAsync(connection, transaction, jobId, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async ValueTask DeleteResultsAsync(
        SqliteConnection connection, SqliteTransaction transaction, string jobId, CancellationToken cancellationToken)
    {
        foreach (var table in ResultTables)
        {
            await ExecuteAsync(connection, transaction, $"DELETE FROM {table} WHERE job_id = @job_id;", cancellationToken, ("@job_id", jobId))
                .ConfigureAwait(false);
        }
    }

    /// <summary>Writes and reads the rows of one job's results inside one transaction.</summary>
    private readonly record struct JobRows(SqliteConnection Connection, SqliteTransaction Transaction, string JobId)
    {
        /// <summary>Inserts rows with one command per table, reused row after row.</summary>
        public async ValueTask InsertAsync<T>(
            string table, string[] columns, IEnumerable<T> items, Func<T, object?[]> values, CancellationToken cancellationToken)
        {
            var sql = $"INSERT INTO {table} (job_id, {string.Join(", ", columns)}) VALUES (@job_id, {string.Join(", ", columns.Select(c => "@" + c))});";
            using var command = CreateCommand(Connection, Transaction, sql, ("@job_id", JobId));
            foreach (var column in columns)
            {
                command.Parameters.Add(new SqliteParameter { ParameterName = "@" + column });
            }

            foreach (var item in items)
            {
                var rowValues = values(item);
                for (var i = 0; i < rowValues.Length; i++)
                {
                    command.Parameters[i + 1].Value = rowValues[i] ?? DBNull.Value;
                }

                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        public async ValueTask<List<T>> ReadAsync<T>(string sql, Func<SqliteDataReader, T> read, CancellationToken cancellationToken)
        {
            using var command = CreateCommand(Connection, Transaction, sql, ("@job_id", JobId));
            return await ReadRowsAsync(command, read, cancellationToken).ToListAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
