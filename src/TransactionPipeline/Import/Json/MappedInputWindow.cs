using System.Buffers;
using System.IO.MemoryMappedFiles;

namespace TransactionPipeline.Import.Json;

/// <summary>
/// The bytes of a file read through views of its memory map instead of copied into buffers: the aggregate-only
/// import's window on a file, where the copy of every byte out of the page cache was a fifth of the work.
/// </summary>
/// <remarks>
/// <para>
/// Each fill maps a new view from the first unparsed byte, <c>readSize</c> bytes longer than the unfinished unit the
/// parse left (at most <c>maxValueBytes</c>, or the value is too large), and unmaps the one before: nothing is copied,
/// and only the view's pages are resident. The kernel reads ahead of the faults as it reads ahead of reads; a cold
/// 5 GB file was read faster this way than through reads, whose copies also cost the reclaim of the page cache.
/// </para>
/// <para>
/// A file that grows while it is read is mapped again when the parse reaches the length it had, so the window ends
/// where a read would. A file cut shorter by another process while it is mapped makes the process fail on the
/// missing pages; that is why only the aggregate-only import, bound by its reading, maps its input (see
/// docs/configuration.md).
/// </para>
/// </remarks>
internal sealed class MappedInputWindow : IInputWindow
{
    private readonly FileStream _file;
    private readonly long _origin;
    private readonly int _readSize;
    private readonly int _maxUnfinished;
    private readonly CancellationToken _cancellationToken;
    private MemoryMappedFile _map;
    private long _mappedLength;
    private View? _view;
    private int _start;
    private int _end;

    private MappedInputWindow(FileStream file, MemoryMappedFile map, long length, long origin, int readSize, int maxValueBytes, CancellationToken cancellationToken)
    {
        _cancellationToken = cancellationToken;
        _file = file;
        _map = map;
        _mappedLength = length;
        _origin = origin;
        _readSize = readSize;
        _maxUnfinished = maxValueBytes;
    }

    /// <inheritdoc/>
    public ReadOnlyMemory<byte> Unparsed => _view is null ? ReadOnlyMemory<byte>.Empty : _view.Memory.Slice(_start, _end - _start);

    /// <inheritdoc/>
    public bool EndOfInput { get; private set; }

    private long ViewEnd => _view is null ? _origin : _view.Start + _end;

    /// <summary>Maps the rest of <paramref name="input"/> when it is a regular file with bytes left; <see langword="null"/> when it is not.</summary>
    /// <param name="input">The input.</param>
    /// <param name="readSize">How many bytes each fill adds.</param>
    /// <param name="maxValueBytes">The longest unit the parse may leave unfinished at the end of a view.</param>
    /// <param name="cancellationToken">Stops the import at its next fill, as it stops a read.</param>
    /// <returns>The window, or <see langword="null"/> for an input to read instead: a pipe, a socket, an empty file, or
    /// one that reports no length (as some system files do).</returns>
    public static MappedInputWindow? TryOpen(Stream input, int readSize, int maxValueBytes, CancellationToken cancellationToken)
    {
        if (input is not FileStream { CanRead: true, CanSeek: true } file)
        {
            return null;
        }

        try
        {
            var (origin, length) = (file.Position, file.Length);
            if (length <= origin)
            {
                return null;
            }

            return new MappedInputWindow(file, Map(file, length), length, origin, readSize, maxValueBytes, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            // Not a file the system maps (a device, say): read it.
            return null;
        }
    }

    /// <inheritdoc/>
    public void Consume(int count) => _start += count;

    /// <inheritdoc/>
    public ValueTask<bool> FillAsync()
    {
        _cancellationToken.ThrowIfCancellationRequested();
        if (ViewEnd >= _mappedLength && !RemapIfGrown())
        {
            EndOfInput = true;
            return ValueTask.FromResult(true);
        }

        var unfinished = _end - _start;
        if (unfinished > _maxUnfinished)
        {
            return ValueTask.FromResult(false);
        }

        var position = ViewEnd - unfinished;
        var next = new View(_map, position, (int)Math.Min(unfinished + (long)_readSize, _mappedLength - position));
        _view?.Unmap();
        _view = next;
        _start = 0;
        _end = next.Length;
        return ValueTask.FromResult(true);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        var end = ViewEnd;
        _view?.Unmap();
        _view = null;
        _map.Dispose();
        try
        {
            // Where a read would have left the stream: past every byte the window took.
            _file.Position = end;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The caller's stream is no longer usable; nothing here needs it.
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Maps the file again when it has grown past the length it was mapped at.</summary>
    private bool RemapIfGrown()
    {
        var length = RandomAccess.GetLength(_file.SafeFileHandle);
        if (length <= _mappedLength)
        {
            return false;
        }

        var map = Map(_file, length);

        // A view keeps its own mapping: the current one stays readable until the fill replaces it.
        _map.Dispose();
        _map = map;
        _mappedLength = length;
        return true;
    }

    private static MemoryMappedFile Map(FileStream file, long length) =>
        MemoryMappedFile.CreateFromFile(file.SafeFileHandle, null, length, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);

    /// <summary>One mapped view of the file, as memory the parse reads.</summary>
    private sealed unsafe class View : MemoryManager<byte>
    {
        private readonly MemoryMappedViewAccessor _accessor;

        public View(MemoryMappedFile map, long start, int length)
        {
            _accessor = map.CreateViewAccessor(start, length, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            _accessor.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            Pointer = pointer + _accessor.PointerOffset;
            Start = start;
            Length = length;
        }

        public byte* Pointer { get; }

        public long Start { get; }

        public int Length { get; }

        /// <summary>Unmaps the view; no memory from it may be read after.</summary>
        public void Unmap() => ((IDisposable)this).Dispose();

        public override Span<byte> GetSpan() => new(Pointer, Length);

        public override MemoryHandle Pin(int elementIndex = 0) => new(Pointer + elementIndex);

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
            _accessor.SafeMemoryMappedViewHandle.ReleasePointer();
            _accessor.Dispose();
        }
    }
}
