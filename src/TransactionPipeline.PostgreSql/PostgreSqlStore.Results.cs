using System.Data;
using Npgsql;
using NpgsqlTypes;

namespace TransactionPipeline.PostgreSql;

internal sealed partial class PostgreSqlStore
{
    private static readonly string[] ResultTables = ["results", "aggregates", "assessments", "offers"];

    public async ValueTask<bool> SaveAsync(JobResult result, string? ownerId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);

        // Delete and insert in one transaction, sent as one batch: readers see the old results or the new ones, never a mix.
        // Each list is one INSERT over parameter arrays; WITH ORDINALITY numbers the rows in the order they came.
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);
        if (ownerId is not null)
        {
            // The row lock holds off a claim by another host until this transaction ends.
            using var held = new NpgsqlCommand(
                $"SELECT 1 FROM jobs WHERE id = @id AND owner = @owner AND state NOT IN {TerminalStates} FOR UPDATE;", connection, transaction);
            held.Parameters.Add(new NpgsqlParameter<string>("id", result.JobId));
            held.Parameters.Add(new NpgsqlParameter<string>("owner", ownerId));
            if (await held.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
            {
                return false;
            }
        }

        using var batch = new NpgsqlBatch(connection, transaction);
        AddDeletes(batch, result.JobId);
        batch.BatchCommands.Add(Command(
            "INSERT INTO results (job_id, transactions_processed, model_version, config_used_json) VALUES ($1, $2, $3, $4);",
            new NpgsqlParameter<string> { TypedValue = result.JobId },
            new NpgsqlParameter<long> { TypedValue = result.TransactionsProcessed },
            new NpgsqlParameter<string> { TypedValue = result.ModelVersion },
            Nullable(string.Empty, NpgsqlDbType.Text, result.ConfigUsedJson)));
        batch.BatchCommands.Add(InsertRows(
            "aggregates",
            ["date", "total_amount", "revenue_amount", "transaction_count"],
            result.JobId,
            Array(result.Aggregates, a => a.Date),
            Array(result.Aggregates, a => a.TotalAmount),
            Array(result.Aggregates, a => a.RevenueAmount),
            Array(result.Aggregates, a => a.TransactionCount)));
        batch.BatchCommands.Add(InsertRows(
            "assessments",
            ["date", "credit_score", "risk_level", "factors"],
            result.JobId,
            Array(result.Assessments, a => a.Date),
            Array(result.Assessments, a => a.CreditScore),
            Array(result.Assessments, a => RiskToText(a.RiskLevel)),
            new NpgsqlParameter<string[]>
            {
                TypedValue = [.. result.Assessments.Select(a => StoredJson.WriteFactors(a.Factors))],
                NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Json,
            }));
        batch.BatchCommands.Add(InsertRows(
            "offers",
            ["date", "offer_type", "amount", "interest_rate", "credit_score", "risk_level", "transaction_count"],
            result.JobId,
            Array(result.Offers, o => o.Date),
            Array(result.Offers, o => o.OfferType),
            Array(result.Offers, o => o.Amount),
            Array(result.Offers, o => o.InterestRate),
            Array(result.Offers, o => o.CreditScore),
            Array(result.Offers, o => RiskToText(o.RiskLevel)),
            Array(result.Offers, o => o.TransactionCount)));
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>One INSERT of a result list over parameter arrays, one per column; WITH ORDINALITY numbers the rows in the order they came.</summary>
    private static NpgsqlBatchCommand InsertRows(string table, string[] columns, string jobId, params NpgsqlParameter[] arrays)
    {
        var names = string.Join(", ", columns);
        var arrayParameters = string.Join(", ", Enumerable.Range(2, columns.Length).Select(i => $"${i}"));
        return Command(
            $"INSERT INTO {table} (job_id, position, {names}) SELECT $1, position, {names} FROM unnest({arrayParameters}) WITH ORDINALITY AS r ({names}, position);",
            [new NpgsqlParameter<string> { TypedValue = jobId }, .. arrays]);
    }

    async ValueTask<JobResult?> IResultStore.FindAsync(string jobId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);

        // Repeatable read: all four queries see one snapshot, so the header and its rows come from the same save.
        var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);
        using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                Command("SELECT transactions_processed, model_version, config_used_json FROM results WHERE job_id = $1;", JobIdParameter(jobId)),
                Command(
                    "SELECT date, total_amount, revenue_amount, transaction_count FROM aggregates WHERE job_id = $1 ORDER BY position;",
                    JobIdParameter(jobId)),
                Command(
                    "SELECT date, credit_score, risk_level, factors FROM assessments WHERE job_id = $1 ORDER BY position;",
                    JobIdParameter(jobId)),
                Command(
                    """
                    SELECT date, offer_type, amount, interest_rate, credit_score, risk_level, transaction_count
                    FROM offers WHERE job_id = $1 ORDER BY position;
                    """,
                    JobIdParameter(jobId)),
            },
        };
        var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var processed = reader.GetInt64(0);
        var modelVersion = reader.GetString(1);
        var configUsed = NullableString(reader, 2);
        var aggregates = await ReadNextAsync(
            reader,
            r => new DailyAggregate(r.GetFieldValue<DateOnly>(0), r.GetDecimal(1), r.GetDecimal(2), r.GetInt64(3)),
            cancellationToken).ConfigureAwait(false);
        var assessments = await ReadNextAsync(
            reader,
            r => new CreditAssessment(r.GetFieldValue<DateOnly>(0), r.GetInt32(1), TextToRisk(r.GetString(2)), StoredJson.ReadFactors(r.GetString(3))),
            cancellationToken).ConfigureAwait(false);
        var offers = await ReadNextAsync(
            reader,
            r => new CreditOffer(
                r.GetFieldValue<DateOnly>(0),
                r.GetString(1),
                r.GetDecimal(2),
                r.GetDecimal(3),
                r.GetInt32(4),
                TextToRisk(r.GetString(5)),
                r.GetInt64(6)),
            cancellationToken).ConfigureAwait(false);

        return new JobResult
        {
            JobId = jobId,
            Aggregates = aggregates,
            Assessments = assessments,
            Offers = offers,
            TransactionsProcessed = processed,
            ModelVersion = modelVersion,
            ConfigUsedJson = configUsed,
        };
    }

    async ValueTask IResultStore.DeleteAsync(string jobId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);
        using var batch = new NpgsqlBatch(connection, transaction);
        AddDeletes(batch, jobId);
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void AddDeletes(NpgsqlBatch batch, string jobId)
    {
        foreach (var table in ResultTables)
        {
            batch.BatchCommands.Add(Command($"DELETE FROM {table} WHERE job_id = $1;", JobIdParameter(jobId)));
        }
    }

    private static NpgsqlBatchCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    private static NpgsqlParameter<string> JobIdParameter(string jobId) => new() { TypedValue = jobId };

    private static NpgsqlParameter<T[]> Array<TItem, T>(IReadOnlyList<TItem> items, Func<TItem, T> select) => new() { TypedValue = [.. items.Select(select)] };

    private static async ValueTask<List<T>> ReadNextAsync<T>(NpgsqlDataReader reader, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(read(reader));
        }

        return rows;
    }
}
