using Npgsql;

namespace TransactionPipeline.PostgreSql;

internal sealed partial class PostgreSqlStore : IIdempotencyStore
{
    async ValueTask<IdempotencyRecord> IIdempotencyStore.TryAddAsync(IdempotencyRecord record, DateTimeOffset expiredBefore, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);

        // Two statements, so the insert sees the expired record gone; a concurrent insert of the same key waits on the
        // primary key and then does nothing, and the select (a statement of its own) reads whichever record won.
        await ExecuteAsync(
            connection,
            transaction,
            IdempotencySql.TryAdd,
            cancellationToken,
            p =>
            {
                BindKey(p, record);
                p.Add(new NpgsqlParameter<string>("token", record.Token));
                p.Add(new NpgsqlParameter<DateTimeOffset>("created_at", ToStored(record.CreatedAt)));
                p.Add(new NpgsqlParameter<DateTimeOffset>("expired_before", ToStored(expiredBefore)));
            }).ConfigureAwait(false);
        using var select = new NpgsqlCommand(
            IdempotencySql.Select,
            connection,
            transaction);
        BindKey(select.Parameters, record);
        IdempotencyRecord? holder = null;
        await foreach (var row in ReadRowsAsync(select, ReadIdempotencyRecord, cancellationToken).ConfigureAwait(false))
        {
            holder = row;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return holder ?? throw new InvalidOperationException($"Idempotency key '{record.Key}' was neither stored nor found.");
    }

    async ValueTask<bool> IIdempotencyStore.UpdateAsync(IdempotencyRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        return await ExecuteAsync(
            IdempotencySql.Update,
            p =>
            {
                BindToken(p, record);
                p.Add(new NpgsqlParameter<string?>("job_id", record.JobId));
                p.Add(new NpgsqlParameter<string?>("fingerprint", record.Fingerprint));
            },
            cancellationToken).ConfigureAwait(false) == 1;
    }

    async ValueTask<bool> IIdempotencyStore.RemoveAsync(IdempotencyRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        return await ExecuteAsync(
            IdempotencySql.Remove,
            p => BindToken(p, record),
            cancellationToken).ConfigureAwait(false) == 1;
    }

    async ValueTask<int> IIdempotencyStore.RemoveExpiredAsync(DateTimeOffset createdBefore, CancellationToken cancellationToken) =>
        await ExecuteAsync(
            IdempotencySql.RemoveExpired,
            p => p.Add(new NpgsqlParameter<DateTimeOffset>("created_before", ToStored(createdBefore))),
            cancellationToken).ConfigureAwait(false);

    private static void BindKey(NpgsqlParameterCollection parameters, IdempotencyRecord record)
    {
        parameters.Add(new NpgsqlParameter<string>("scope", record.Scope));
        parameters.Add(new NpgsqlParameter<string>("key", record.Key));
    }

    private static void BindToken(NpgsqlParameterCollection parameters, IdempotencyRecord record)
    {
        BindKey(parameters, record);
        parameters.Add(new NpgsqlParameter<string>("token", record.Token));
    }

    private static IdempotencyRecord ReadIdempotencyRecord(NpgsqlDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3))
        {
            JobId = reader.IsDBNull(4) ? null : reader.GetString(4),
            Fingerprint = reader.IsDBNull(5) ? null : reader.GetString(5),
        };
}
