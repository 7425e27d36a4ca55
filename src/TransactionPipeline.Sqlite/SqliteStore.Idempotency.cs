using Microsoft.Data.Sqlite;

namespace TransactionPipeline.Sqlite;

internal sealed partial class SqliteStore : IIdempotencyStore
{
    async ValueTask<IdempotencyRecord> IIdempotencyStore.TryAddAsync(IdempotencyRecord record, DateTimeOffset expiredBefore, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(
            connection,
            transaction,
            IdempotencySql.TryAdd,
            cancellationToken,
            ("@scope", record.Scope),
            ("@key", record.Key),
            ("@token", record.Token),
            ("@created_at", ToTicks(record.CreatedAt)),
            ("@expired_before", ToTicks(expiredBefore))).ConfigureAwait(false);
        using var select = CreateCommand(connection, transaction, IdempotencySql.Select, ("@scope", record.Scope), ("@key", record.Key));
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
            cancellationToken,
            ("@scope", record.Scope),
            ("@key", record.Key),
            ("@token", record.Token),
            ("@job_id", record.JobId),
            ("@fingerprint", record.Fingerprint)).ConfigureAwait(false) == 1;
    }

    async ValueTask<bool> IIdempotencyStore.RemoveAsync(IdempotencyRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        return await ExecuteAsync(
            IdempotencySql.Remove,
            cancellationToken,
            ("@scope", record.Scope),
            ("@key", record.Key),
            ("@token", record.Token)).ConfigureAwait(false) == 1;
    }

    async ValueTask<int> IIdempotencyStore.RemoveExpiredAsync(DateTimeOffset createdBefore, CancellationToken cancellationToken) =>
        await ExecuteAsync(
            IdempotencySql.RemoveExpired,
            cancellationToken,
            ("@created_before", ToTicks(createdBefore))).ConfigureAwait(false);

    private static IdempotencyRecord ReadIdempotencyRecord(SqliteDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetString(2), FromTicks(reader.GetInt64(3)))
        {
            JobId = reader.IsDBNull(4) ? null : reader.GetString(4),
            Fingerprint = reader.IsDBNull(5) ? null : reader.GetString(5),
        };
}
