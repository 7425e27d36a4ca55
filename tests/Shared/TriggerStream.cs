namespace TransactionPipeline.Tests.Shared;

/// <summary>Reads another stream in small pieces and runs an action once when the reader passes a byte offset.</summary>
/// <remarks>Small reads, so a fault injected by the action lands between batches, not after the whole body is read.</remarks>
internal sealed class TriggerStream(Stream inner, long triggerAt, Action trigger, int readSize = 4_096) : Stream
{
    private bool _fired;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer[..Math.Min(buffer.Length, readSize)]);
        if (!_fired && inner.Position >= triggerAt)
        {
            _fired = true;
            trigger();
        }

        return read;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
