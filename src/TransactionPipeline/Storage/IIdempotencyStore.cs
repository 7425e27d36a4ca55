namespace TransactionPipeline;

/// <summary>Keeps the <c>Idempotency-Key</c>s of submit requests, so a retried upload answers the job it already made.</summary>
/// <remarks>
/// Optional: a store that implements it next to the three required roles is picked up by
/// <see cref="TransactionPipelineBuilderExtensions.UseStorage{TStore}"/>, and the HTTP adapter honours the header; without
/// one, the header is ignored. Each write is atomic, and writes that change or remove a record match it by its
/// <see cref="IdempotencyRecord.Token"/>, so a request only ever changes the record it made. Registered as a singleton:
/// implementations must be thread-safe.
/// </remarks>
public interface IIdempotencyStore
{
    /// <summary>Stores a new key unless a live record of the same scope and key exists.</summary>
    /// <param name="record">The new record: no job id or fingerprint yet.</param>
    /// <param name="expiredBefore">A record of the same scope and key created before this time has expired: it is replaced.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The record that holds the key now: <paramref name="record"/> when it was stored, or the live one that was there.</returns>
    ValueTask<IdempotencyRecord> TryAddAsync(IdempotencyRecord record, DateTimeOffset expiredBefore, CancellationToken cancellationToken);

    /// <summary>Sets the job id and fingerprint of the record with the same scope, key and token.</summary>
    /// <param name="record">The record with its new values.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when the record was found and changed.</returns>
    ValueTask<bool> UpdateAsync(IdempotencyRecord record, CancellationToken cancellationToken);

    /// <summary>Removes the record with the same scope, key and token, which frees the key for a new request.</summary>
    /// <param name="record">The record.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when the record was found and removed.</returns>
    ValueTask<bool> RemoveAsync(IdempotencyRecord record, CancellationToken cancellationToken);

    /// <summary>Removes every record created before a time.</summary>
    /// <param name="createdBefore">The expiry cutoff.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>How many records were removed.</returns>
    ValueTask<int> RemoveExpiredAsync(DateTimeOffset createdBefore, CancellationToken cancellationToken);
}

/// <summary>One <c>Idempotency-Key</c> as a store keeps it.</summary>
/// <param name="Scope">Whose key it is: the job owner's key when the host has tenants, otherwise empty.</param>
/// <param name="Key">The key the client sent.</param>
/// <param name="Token">A random value that names this use of the key, so a later request for it never changes another's record.</param>
/// <param name="CreatedAt">When the key was first used; the key expires a set time after.</param>
public sealed record IdempotencyRecord(string Scope, string Key, string Token, DateTimeOffset CreatedAt)
{
    /// <summary>Gets the id of the job the request made, once it has one.</summary>
    public string? JobId { get; init; }

    /// <summary>Gets the fingerprint of the request's body, once the whole body was read; <see langword="null"/> while it is still uploading.</summary>
    public string? Fingerprint { get; init; }
}
