namespace TransactionPipeline.AspNetCore.Dashboard.Tests;

/// <summary>
/// Reads another stream a few kilobytes at a time with a pause before each read: an upload over a slow link, whose
/// rows arrive over a while rather than in one burst (the import reports progress at most once per interval).
/// </summary>
internal sealed class TrickleStream(Stream inner, int readSize = 4_096, int pauseMilliseconds = 20) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("read asynchronously");

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await Task.Delay(pauseMilliseconds, cancellationToken);
        return await inner.ReadAsync(buffer[..Math.Min(buffer.Length, readSize)], cancellationToken);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
