namespace TransactionPipeline.Storage;

/// <summary>The statements on the <c>idempotency_keys</c> table that both SQL stores write the same way.</summary>
/// <remarks>Parameters: <c>@scope</c>, <c>@key</c>, <c>@token</c>, and those each statement names.</remarks>
internal static class IdempotencySql
{
    /// <summary>
    /// Removes the key's record when it expired (<c>@expired_before</c>), then inserts the new one unless a record holds
    /// the key (<c>@created_at</c>). Two statements, so the insert sees the expired record gone.
    /// </summary>
    public const string TryAdd =
        """
        DELETE FROM idempotency_keys WHERE scope = @scope AND key = @key AND created_at < @expired_before;
        INSERT INTO idempotency_keys (scope, key, token, created_at) VALUES (@scope, @key, @token, @created_at)
        ON CONFLICT (scope, key) DO NOTHING;
        """;

    /// <summary>The record that holds the key.</summary>
    public const string Select = "SELECT scope, key, token, created_at, job_id, fingerprint FROM idempotency_keys WHERE scope = @scope AND key = @key;";

    /// <summary>Sets the job id and fingerprint (<c>@job_id</c>, <c>@fingerprint</c>) of the record with the token.</summary>
    public const string Update =
        "UPDATE idempotency_keys SET job_id = @job_id, fingerprint = @fingerprint WHERE scope = @scope AND key = @key AND token = @token;";

    /// <summary>Removes the record with the token.</summary>
    public const string Remove = "DELETE FROM idempotency_keys WHERE scope = @scope AND key = @key AND token = @token;";

    /// <summary>Removes every record created before <c>@created_before</c>.</summary>
    public const string RemoveExpired = "DELETE FROM idempotency_keys WHERE created_at < @created_before;";
}
