namespace TransactionPipeline.Tests.Shared;

/// <summary>
/// Reads another stream up to a byte offset, then waits until the read is cancelled (an upload that stalls mid-body), or
/// until <paramref name="resume"/> completes when one is given (an upload that pauses), and then reads on to the end.
/// </summary>
internal sealed class StallingStream(Stream inner, long stallAt, Task? resume = null) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("read asynchronously");

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (resume is { IsCompleted: true })
        {
            return await inner.ReadAsync(buffer, cancellationToken);
        }

        if (inner.Position >= stallAt)
        {
            await (resume ?? Task.Delay(Timeout.Infinite, cancellationToken)).WaitAsync(cancellationToken);
            return await inner.ReadAsync(buffer, cancellationToken);
        }

        return await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, stallAt - inner.Position)], cancellationToken);
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
