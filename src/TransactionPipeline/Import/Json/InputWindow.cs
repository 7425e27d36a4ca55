using System.Buffers;

namespace TransactionPipeline.Import.Json;

/// <summary>
/// The bytes read but not parsed yet, in one of two buffers, while the next read fills the other: reading the input
/// overlaps parsing it.
/// </summary>
/// <remarks>
/// Each buffer is <c>headroom + readSize</c> bytes, and reads land after the headroom. When the parse needs more, the
/// unfinished unit it left (at most one value) is copied in front of the new bytes, the buffers swap, and the next
/// read starts at once into the one just emptied. The headroom starts at 64 KiB, far more than an item needs, and
/// grows only when a longer value comes, up to <c>MaxValueSize</c>: beyond that the value is too large.
/// </remarks>
internal sealed class InputWindow : IInputWindow
{
    /// <summary>How long disposing waits for a read-ahead it has cancelled before leaving it to finish alone.</summary>
    private static readonly TimeSpan CancelledReadGrace = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _cancellation;
    private readonly Stream _input;
    private readonly int _readSize;
    private readonly int _maxUnfinished;
    private int _headroom;
    private byte[] _buffer;
    private byte[]? _spare;
    private Task<int>? _pending;
    private int _pendingOffset;
    private int _start;
    private int _end;

    public InputWindow(Stream input, int readSize, int maxValueBytes, CancellationToken cancellationToken)
    {
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _input = input;
        _readSize = readSize;
        _maxUnfinished = maxValueBytes;
        _headroom = Math.Min(maxValueBytes, 64 * 1024);
        _buffer = ArrayPool<byte>.Shared.Rent(_headroom + readSize);
        _start = _end = _headroom;
    }

    /// <summary>Gets the bytes read and not yet consumed.</summary>
    public ReadOnlyMemory<byte> Unparsed => _buffer.AsMemory(_start, _end - _start);

    /// <summary>Gets a value indicating whether the input has ended: no read will add bytes.</summary>
    public bool EndOfInput { get; private set; }

    public void Consume(int count) => _start += count;

    /// <summary>Waits for the next bytes of the input and appends them to <see cref="Unparsed"/>, then starts the read after.</summary>
    /// <returns><see langword="false"/> when the unfinished value is already longer than the largest allowed: nothing was appended.</returns>
    /// <remarks>A failed read throws the input's own exception; the caller says what it means at the point its parse reached.</remarks>
    public async ValueTask<bool> FillAsync()
    {
        var pending = _pending ?? StartReadAsync();
        _pending = null;
#pragma warning disable VSTHRD003 // pending is this window's own read-ahead; no context is captured.
        var read = await pending.ConfigureAwait(false);
#pragma warning restore VSTHRD003
        if (read == 0)
        {
            EndOfInput = true;
            return true;
        }

        var unfinished = _end - _start;
        if (unfinished > _maxUnfinished)
        {
            return false;
        }

        // The read put its bytes after the headroom the spare had when it started.
        var offset = _pendingOffset;
        if (unfinished <= offset)
        {
            _buffer.AsSpan(_start, unfinished).CopyTo(_spare.AsSpan(offset - unfinished));
            (_buffer, _spare) = (_spare!, _buffer);
            _start = offset - unfinished;
            _end = offset + read;
        }
        else
        {
            // A value longer than the headroom: join it and the new bytes in a larger buffer, and keep the larger
            // headroom for the reads after.
            _headroom = Math.Min(_maxUnfinished, Math.Max(unfinished, _headroom * 2));
            var joined = ArrayPool<byte>.Shared.Rent(_headroom + _readSize);
            _buffer.AsSpan(_start, unfinished).CopyTo(joined.AsSpan(_headroom - unfinished));
            _spare.AsSpan(offset, read).CopyTo(joined.AsSpan(_headroom));
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = joined;
            _start = _headroom - unfinished;
            _end = _headroom + read;
        }

        _pending = StartReadAsync();
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        if (_pending is { } pending)
        {
            // The parse has ended with a read still in flight. Cancel it and give it a moment: a read that ends frees
            // its buffer and leaves the stream to its owner (a server draining a request body, say). A stream that
            // ignores cancellation keeps the buffer, which is then left to the garbage collector, never reused while
            // the read may still write into it. The read's error no longer matters, but is observed.
            _pending = null;
            if (!pending.IsCompleted)
            {
                await _cancellation.CancelAsync().ConfigureAwait(false);
                await Task.WhenAny(pending, Task.Delay(CancelledReadGrace, CancellationToken.None)).ConfigureAwait(false);
            }

            if (!pending.IsCompleted)
            {
                _spare = null;
            }

            _ = pending.ContinueWith(
                static read => read.Exception,
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        ArrayPool<byte>.Shared.Return(_buffer);
        if (_spare is not null)
        {
            ArrayPool<byte>.Shared.Return(_spare);
        }

        _cancellation.Dispose();
    }

    private Task<int> StartReadAsync()
    {
        if (_spare is null || _spare.Length < _headroom + _readSize)
        {
            if (_spare is not null)
            {
                ArrayPool<byte>.Shared.Return(_spare);
            }

            _spare = ArrayPool<byte>.Shared.Rent(_headroom + _readSize);
        }

        _pendingOffset = _headroom;
        try
        {
            return _input.ReadAsync(_spare.AsMemory(_headroom, _readSize), _cancellation.Token).AsTask();
        }
        catch (Exception ex)
        {
            // Reported where the parse reaches this read, like an error the read returns.
            return Task.FromException<int>(ex);
        }
    }
}
