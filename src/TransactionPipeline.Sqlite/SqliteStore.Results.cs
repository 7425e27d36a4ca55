using Microsoft.Data.Sqlite;
using static TransactionPipeline.Sqlite.SqliteValues;

namespace TransactionPipeline.Sqlite;

internal sealed partial class SqliteStore
{
    private static readonly string[] ResultTables = ["results", "aggregates", "assessments", "offers"];

    public async ValueTask SaveAsync(JobResult result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);

        // Delete and insert in one transaction: readers see the old results or the new ones, never a mix.
        using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        await DeleteResultsAsync(connection, transaction, result.JobId, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(
            connection,
            transaction,
            "INSERT INTO results (job_id, transactions_processed, model_version, config_used_json) VALUES (@job_id, @processed, @version, @config);",
            cancellationToken,
            ("@job_id", result.JobId),
            ("@processed", result.TransactionsProcessed),
            ("@version", result.ModelVersion),
            ("@config", result.ConfigUsedJson)).ConfigureAwait(false);

        foreach (var aggregate in result.Aggregates)
        {
            await ExecuteAsync(
                connection,
                transaction,
                "INSERT INTO aggregates (job_id, date, total_amount, revenue_amount, transaction_count) VALUES (@job_id, @date, @total, @revenue, @count);",
                cancellationToken,
                ("@job_id", result.JobId),
                ("@date", DateToText(aggregate.Date)),
                ("@total", DecimalToText(aggregate.TotalAmount)),
                ("@revenue", DecimalToText(aggregate.RevenueAmount)),
                ("@count", aggregate.TransactionCount)).ConfigureAwait(false);
        }

        foreach (var assessment in result.Assessments)
        {
            await ExecuteAsync(
                connection,
                transaction,
                "INSERT INTO assessments (job_id, date, credit_score, risk_level, factors_json) VALUES (@job_id, @date, @score, @risk, @factors);",
                cancellationToken,
                ("@job_id", result.JobId),
                ("@date", DateToText(assessment.Date)),
                ("@score", assessment.CreditScore),
                ("@risk", RiskToText(assessment.RiskLevel)),
                ("@factors", StoredJson.WriteFactors(assessment.Factors))).ConfigureAwait(false);
        }

        foreach (var offer in result.Offers)
        {
            await ExecuteAsync(
                connection,
                transaction,
                """
                INSERT INTO offers (job_id, date, offer_type, amount, interest_rate, credit_score, risk_level, transaction_count)
                VALUES (@job_id, @date, @type, @amount, @rate, @score, @risk, @count);
                """,
                cancellationToken,
                ("@job_id", result.JobId),
                ("@date", DateToText(offer.Date)),
                ("@type", offer.OfferType),
                ("@amount", DecimalToText(offer.Amount)),
                ("@rate", DecimalToText(offer.InterestRate)),
                ("@score", offer.CreditScore),
                ("@risk", RiskToText(offer.RiskLevel)),
                ("@count", offer.TransactionCount)).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    async ValueTask<JobResult?> IResultStore.FindAsync(string jobId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);

        // A deferred read transaction pins one snapshot, so the header and its rows come from the same save.
        using var transaction = connection.BeginTransaction(deferred: true);
        var header = await QueryAsync(
            connection,
            transaction,
            "SELECT transactions_processed, model_version, config_used_json FROM results WHERE job_id = @job_id;",
            jobId,
            r => (Processed: r.GetInt64(0), Version: r.GetString(1), Config: NullableString(r, 2)),
            cancellationToken).ConfigureAwait(false);
        if (header.Count == 0)
        {
            return null;
        }

        // Rows come back in the order they were saved (rowid order within the job).
        var aggregates = await QueryAsync(
            connection,
            transaction,
            "SELECT date, total_amount, revenue_amount, transaction_count FROM aggregates WHERE job_id = @job_id ORDER BY rowid;",
            jobId,
            r => new DailyAggregate(TextToDate(r.GetString(0)), TextToDecimal(r.GetString(1)), TextToDecimal(r.GetString(2)), r.GetInt64(3)),
            cancellationToken).ConfigureAwait(false);
        var assessments = await QueryAsync(
            connection,
            transaction,
            "SELECT date, credit_score, risk_level, factors_json FROM assessments WHERE job_id = @job_id ORDER BY rowid;",
            jobId,
            r => new CreditAssessment(TextToDate(r.GetString(0)), r.GetInt32(1), TextToRisk(r.GetString(2)), StoredJson.ReadFactors(r.GetString(3))),
            cancellationToken).ConfigureAwait(false);
        var offers = await QueryAsync(
            connection,
            transaction,
            """
            SELECT date, offer_type, amount, interest_rate, credit_score, risk_level, transaction_count
            FROM offers WHERE job_id = @job_id ORDER BY rowid;
            """,
            jobId,
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

    private static async ValueTask<List<T>> QueryAsync<T>(
        SqliteConnection connection,
        SqliteTransaction transaction,
        string sql,
        string jobId,
        Func<SqliteDataReader, T> read,
        CancellationToken cancellationToken)
    {
        using var command = CreateCommand(connection, transaction, sql, ("@job_id", jobId));
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(read(reader));
        }

        return rows;
    }
}
