using System.Buffers;

namespace TransactionPipeline;

/// <summary>A run of consecutive transactions of one job, as it moves between stages.</summary>
/// <remarks>
/// Batches are pooled: a stage must not keep a batch, or memory taken from it, after its
/// <c>ProcessAsync</c> completes. Copy what it needs to keep.
/// </remarks>
public sealed class TransactionBatch
{
    /// <summary>
    /// The most characters of descriptions a batch being filled takes before it counts as full, whatever its row capacity:
    /// 512 KiB of strings. A batch of the seed's short descriptions fills by rows long before; one of descriptions at the
    /// 255-character limit closes at about 1,000 rows, so the batches in flight stay near the same bytes for any input.
    /// </summary>
    internal const int DescriptionCharsPerBatch = 256 * 1024;

    private TransactionRecord[] _items;
    private int _capacity;
    private int _descriptionChars;

    /// <summary>Initializes a new instance of the <see cref="TransactionBatch"/> class holding a copy of <paramref name="items"/>.</summary>
    /// <param name="items">The transactions.</param>
    /// <param name="firstItemIndex">The index in <c>data</c> of the first of them.</param>
    /// <remarks>For store tests and custom importers; the pipeline builds its own pooled batches.</remarks>
    public TransactionBatch(ReadOnlySpan<TransactionRecord> items, long firstItemIndex = 0)
    {
        _items = items.ToArray();
        _capacity = _items.Length;
        Count = items.Length;
        FirstItemIndex = firstItemIndex;
    }

    internal TransactionBatch(int capacity)
    {
        _items = ArrayPool<TransactionRecord>.Shared.Rent(capacity);
        _capacity = capacity;
    }

    /// <summary>Gets the index in <c>data</c> of the batch's first transaction as read.</summary>
    public long FirstItemIndex { get; internal set; }

    /// <summary>Gets how many transactions the batch holds.</summary>
    public int Count { get; private set; }

    /// <summary>Gets the input bytes consumed up to the end of this batch.</summary>
    public long EndByteOffset { get; internal set; }

    /// <summary>Gets the transactions.</summary>
    public ReadOnlyMemory<TransactionRecord> Items => _items.AsMemory(0, Count);

    /// <summary>Gets a value indicating whether the batch holds its row capacity, or descriptions of <see cref="DescriptionCharsPerBatch"/> characters.</summary>
    internal bool IsFull => Count >= _capacity || _descriptionChars >= DescriptionCharsPerBatch;

    /// <summary>Removes every transaction that matches <paramref name="predicate"/>, keeping the order of the rest.</summary>
    /// <param name="predicate">Returns <see langword="true"/> for the transactions to drop.</param>
    /// <returns>How many transactions were removed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="predicate"/> is <see langword="null"/>.</exception>
    public int RemoveAll(Func<TransactionRecord, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var kept = 0;
        for (var i = 0; i < Count; i++)
        {
            if (!predicate(_items[i]))
            {
                _items[kept++] = _items[i];
            }
        }

        var removed = Count - kept;
        Array.Clear(_items, kept, removed);
        Count = kept;
        return removed;
    }

    internal void Add(in TransactionRecord record)
    {
        _items[Count++] = record;
        _descriptionChars += record.Description?.Length ?? 0;
    }

    internal void Reset(long firstItemIndex)
    {
        Array.Clear(_items, 0, Count);
        Count = 0;
        _descriptionChars = 0;
        FirstItemIndex = firstItemIndex;
        EndByteOffset = 0;
    }

    internal void Release()
    {
        Array.Clear(_items, 0, Count);
        ArrayPool<TransactionRecord>.Shared.Return(_items);
        _items = [];
        Count = 0;
        _descriptionChars = 0;
    }
}
