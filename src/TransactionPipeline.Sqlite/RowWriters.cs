namespace TransactionPipeline.Sqlite;

/// <summary>The imports in progress, with their open rows files, kept between batches and bounded in number.</summary>
/// <remarks>
/// Batches of one job arrive one at a time, so an import is taken out while a batch is queued and put back after:
/// no two callers ever share one, and closing the least recently used never closes one in use. A job whose import
/// stopped without completing or deleting costs one entry until it is pushed out; pushing it out writes what it had
/// queued and closes its files.
/// </remarks>
internal sealed class RowWriters : IDisposable
{
    /// <summary>The most idle imports kept open; past it the least recently used is closed.</summary>
    internal const int MaxOpen = 64;

    private readonly Dictionary<string, (RowsImport Import, long LastUsed)> _idle = new(StringComparer.Ordinal);
    private long _clock;

    /// <summary>Gets how many imports are kept open.</summary>
    internal int Count
    {
        get
        {
            lock (_idle)
            {
                return _idle.Count;
            }
        }
    }

    /// <summary>Takes the job's import for the caller's sole use, or answers null when none is kept.</summary>
    public RowsImport? Take(string jobId)
    {
        lock (_idle)
        {
            return _idle.Remove(jobId, out var entry) ? entry.Import : null;
        }
    }

    /// <summary>Keeps the job's import for its next batch, closing the least recently used one past <see cref="MaxOpen"/>.</summary>
    /// <returns>The import pushed out, for the caller to close, or null.</returns>
    public RowsImport? Return(string jobId, RowsImport import)
    {
        RowsImport? evicted = null;
        lock (_idle)
        {
            _idle[jobId] = (import, ++_clock);
            if (_idle.Count > MaxOpen)
            {
                var oldest = _idle.MinBy(e => e.Value.LastUsed);
                _idle.Remove(oldest.Key);
                evicted = oldest.Value.Import;
            }
        }

        return evicted;
    }

    public void Dispose()
    {
        List<RowsImport> open;
        lock (_idle)
        {
            open = [.. _idle.Values.Select(e => e.Import)];
            _idle.Clear();
        }

        open.ForEach(c => c.Dispose());
    }
}
