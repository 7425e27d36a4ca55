using Microsoft.Data.Sqlite;

namespace TransactionPipeline.Sqlite;

/// <summary>The open connections to the rows files of jobs being imported, kept between batches and bounded in number.</summary>
/// <remarks>
/// Batches of one job arrive one at a time, so a connection is taken out while a batch is written and put back after:
/// no two callers ever share one, and closing the least recently used never closes one in use. A job whose import
/// stopped without completing or deleting (the process it ran in failed) costs one entry until it is pushed out.
/// </remarks>
internal sealed class RowWriters : IDisposable
{
    /// <summary>The most idle connections kept open; past it the least recently used is closed.</summary>
    internal const int MaxOpen = 64;

    private readonly Dictionary<string, (SqliteConnection Connection, long LastUsed)> _idle = new(StringComparer.Ordinal);
    private long _clock;

    /// <summary>Gets how many connections are kept open.</summary>
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

    /// <summary>Takes the job's open connection for the caller's sole use, or answers null when none is kept.</summary>
    public SqliteConnection? Take(string jobId)
    {
        lock (_idle)
        {
            return _idle.Remove(jobId, out var entry) ? entry.Connection : null;
        }
    }

    /// <summary>Keeps the job's connection for its next batch, closing the least recently used one past <see cref="MaxOpen"/>.</summary>
    public void Return(string jobId, SqliteConnection connection)
    {
        SqliteConnection? evicted = null;
        lock (_idle)
        {
            _idle[jobId] = (connection, ++_clock);
            if (_idle.Count > MaxOpen)
            {
                var oldest = _idle.MinBy(e => e.Value.LastUsed);
                _idle.Remove(oldest.Key);
                evicted = oldest.Value.Connection;
            }
        }

        evicted?.Dispose();
    }

    public void Dispose()
    {
        List<SqliteConnection> open;
        lock (_idle)
        {
            open = [.. _idle.Values.Select(e => e.Connection)];
            _idle.Clear();
        }

        open.ForEach(c => c.Dispose());
    }
}
