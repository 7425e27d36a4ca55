using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace TransactionPipeline.AspNetCore.Http;

/// <summary>The <c>Idempotency-Key</c> request header of the IETF HTTPAPI draft: a Structured Fields string.</summary>
internal static class IdempotencyKey
{
    public const string HeaderName = "Idempotency-Key";

    public const string ReplayedHeaderName = "Idempotent-Replayed";

    public const int MaxLength = 255;

    /// <summary>Reads the key: <see langword="null"/> when the request has none; an error when the header is not one printable string.</summary>
    public static bool TryRead(IHeaderDictionary headers, out string? key, out string? error)
    {
        key = null;
        error = null;
        if (!headers.TryGetValue(HeaderName, out var values) || StringValues.IsNullOrEmpty(values))
        {
            return true;
        }

        if (values.Count > 1)
        {
            error = "Send one Idempotency-Key header.";
            return false;
        }

        // The draft's value is an sf-string ("..."); a bare token is taken as it is, as most servers do.
        var value = values[0]!.Trim();
        if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
        {
            value = value[1..^1].Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
        }

        if (value.Length is 0 or > MaxLength || value.Any(c => c is < ' ' or > '~'))
        {
            error = $"The Idempotency-Key must be 1 to {MaxLength} printable ASCII characters.";
            return false;
        }

        key = value;
        return true;
    }
}

/// <summary>The request body as the import reads it, hashed on the way: the fingerprint an <c>Idempotency-Key</c> is bound to.</summary>
internal sealed class FingerprintingStream(Stream body) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _length;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _length;
        set => throw new NotSupportedException();
    }

    /// <summary>Reads what is left of the body and answers its fingerprint.</summary>
    public static async Task<string> ReadToEndAsync(Stream body, CancellationToken cancellationToken)
    {
        using var fingerprinting = new FingerprintingStream(body);
        var buffer = new byte[64 * 1024];
        while (await fingerprinting.ReadAsync(buffer, cancellationToken).ConfigureAwait(false) > 0)
        {
        }

        return fingerprinting.Finish();
    }

    /// <summary>The fingerprint of every byte read: SHA-256 and the length, in the form of an HTTP digest field.</summary>
    public string Finish() => $"sha-256=:{Convert.ToBase64String(_hash.GetHashAndReset())}:;length={_length}";

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("The request body is read asynchronously.");

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        _hash.AppendData(buffer.Span[..read]);
        _length += read;
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }
}
