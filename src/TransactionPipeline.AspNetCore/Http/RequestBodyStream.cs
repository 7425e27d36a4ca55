using Microsoft.AspNetCore.Http;

namespace TransactionPipeline.AspNetCore.Http;

/// <summary>
/// The request body as the import reads it: a read that fails because the client went away (reset, closed early, or sent
/// too slowly) throws <see cref="InputAbortedException"/>, so the job fails as <c>client_disconnected</c> with the rows and
/// bytes it had, instead of as a failed stage or a cancellation.
/// </summary>
internal sealed class RequestBodyStream(Stream body) : Stream
{
    private long _read;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("The request body is read asynchronously.");

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            var read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            _read += read;
            return read;
        }
        catch (Exception ex) when (IsMalformedBody(ex))
        {
            // A malformed body (a bad chunk header, say) is the client's bad input, not its going away: the reader says so.
            throw;
        }
        catch (IOException ex)
        {
            // Kestrel's reset, its early end of the body and its too-slow-data timeout (408) are all IOExceptions.
            throw new InputAbortedException($"The client went away after {_read} bytes of the body: {ex.Message}", ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The connection was aborted under the read, not the import cancelled.
            throw new InputAbortedException($"The client's connection was aborted after {_read} bytes of the body: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Whether a body read failed because the body's framing is broken (a bad chunk header, say), which is the client's
    /// bad input; Kestrel's early end of the body and its too-slow-data timeout are the client going away.
    /// </summary>
    public static bool IsMalformedBody(Exception exception) =>
        exception is BadHttpRequestException bad
        && bad.StatusCode != StatusCodes.Status408RequestTimeout
        && !bad.Message.Contains("Unexpected end of request content", StringComparison.Ordinal);

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
