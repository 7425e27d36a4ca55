using Microsoft.Data.Sqlite;

namespace TransactionPipeline.Sqlite;

internal sealed partial class SqliteStore : IIdempotencyStore
{
    private const string SelectIdempotencySql =
        "SELECT scope, key, token, created_at, job_id, fingerprint FROM idempotency_keys WHERE scope = @scope AND key = @key;";

    async ValueTask<IdempotencyRecord> IIdempotencyStore.TryAddAsync(IdempotencyRecord record, DateTimeOffset expiredBefore, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(
            connection,
            transaction,
            """
            DELETE FROM idempotency_keys WHERE scope = @scope AND key = @key AND created_at < @expired_before;
            INSERT INTO idempotency_keys (scope, key, token, created_at) VALUES (@scope, @key, @token, @created_at)
            ON CONFLICT (scope, key) DO NOTHING;
            """,
            cancellationToken,
            ("@scope", record.Scope),
            ("@key", record.Key),
            ("@token", record.Token),
            ("@created_at", ToTicks(record.CreatedAt)),
            ("@expired_before", ToTicks(expiredBefore))).ConfigureAwait(false);
        using var select = CreateCommand(connection, transaction, SelectIdempotencySql, ("@scope", record.Scope), ("@key", record.Key));
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
            "UPDATE idempotency_keys SET job_id = @job_id, fingerprint = @fingerprint WHERE scope = @scope AND key = @key AND token = @token;",
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
            "DELETE FROM idempotency_keys WHERE scope = @scope AND key = @key AND token = @token;",
            cancellationToken,
            ("@scope", record.Scope),
            ("@key", record.Key),
            ("@token", record.Token)).ConfigureAwait(false) == 1;
    }

    async ValueTask<int> IIdempotencyStore.RemoveExpiredAsync(DateTimeOffset createdBefore, CancellationToken cancellationToken) =>
        await ExecuteAsync(
            "DELETE FROM idempotency_keys WHERE created_at < @created_before;",
            cancellationToken,
            ("@created_before", ToTicks(createdBefore))).ConfigureAwait(false);

    private static IdempotencyRecord ReadIdempotencyRecord(SqliteDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetString(2), FromTicks(reader.GetInt64(3)))
        {
            JobId = reader.IsDBNull(4) ? null : reader.GetString(4),
            Fingerprint = reader.IsDBNull(5) ? null : reader.GetString(5),
        };

    public async ValueTask<bool> TryAcquireLeaseAsync(string name, string holder, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(holder);
        return await ExecuteAsync(
            """
            INSERT INTO leases (name, holder, expires_at) VALUES (@name, @holder, @expires_at)
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
            WHERE leases.holder = excluded.holder OR leases.expires_at <= @now;
            """,
            cancellationToken,
            ("@name", name),
            ("@holder", holder),
            ("@now", ToTicks(now)),
            ("@expires_at", ToTicks(now + duration))).ConfigureAwait(false) == 1;
    }
}
