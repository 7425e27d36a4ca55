using System.Buffers;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace TransactionPipeline.Sqlite;

internal sealed partial class SqliteStore
{
    private const int ColumnCount = 5;

    /// <summary>Rows per INSERT statement; measured on 1.1 million rows, 16 rows per step is ~10% faster than one.</summary>
    private const int RowsPerStatement = 16;

    private static readonly string InsertSql = BuildInsertSql(1);

    private static readonly string WideInsertSql = BuildInsertSql(RowsPerStatement);

    /// <summary>The longest description in UTF-8 the fast path encodes in place: the most UTF-16 characters, of up to 3 bytes each.</summary>
    private const int MaxDescriptionBytes = TransactionLimits.MaxDescriptionLength * 3;

    /// <summary>The schema of a job's rows file, and how its import writes it. The row id is the import order, counted from 1.</summary>
    /// <remarks>
    /// No journal and no syncs while importing: each row is written once, into the file, instead of to a write-ahead
    /// log and again into the file at a checkpoint. That is safe here because an import's rows count only once it has
    /// completed: a batch that fails, a crash or a cancellation fails the job, and failing a job removes its files
    /// whatever state they are in. <see cref="RowsImport.CompleteAsync"/> syncs each file to the disk before the
    /// import is recorded as complete.
    /// </remarks>
    private const string RowsSchema = """
        PRAGMA journal_mode = OFF;
        PRAGMA synchronous = OFF;
        CREATE TABLE IF NOT EXISTS rows (
            id           INTEGER PRIMARY KEY,
            amount       INTEGER NOT NULL, -- cents
            day          INTEGER NOT NULL, -- DateOnly.DayNumber
            is_revenue   INTEGER NOT NULL,
            description  TEXT    NOT NULL
        );
        """;

    /// <summary>Characters a job id may use as a file name as it is; any other id is named by its hash.</summary>
    private static readonly System.Buffers.SearchValues<char> FileNameCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");

    public async ValueTask AppendAsync(string jobId, TransactionBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0)
        {
            return;
        }

        // The job's own files and writers: imports of different jobs never wait for each other's write lock.
        var import = _rowWriters.Take(jobId) ?? await RowsImport.StartAsync(
            _importWriters, (shard, create, token) => OpenRowsAsync(jobId, shard, create, token), cancellationToken).ConfigureAwait(false);
        try
        {
            await import.AppendAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await import.AbortAsync().ConfigureAwait(false);
            throw;
        }

        if (_rowWriters.Return(jobId, import) is { } evicted)
        {
            await evicted.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask CompleteAsync(string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        if (_rowWriters.Take(jobId) is not { } import)
        {
            return;
        }

        try
        {
            await import.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await import.AbortAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async IAsyncEnumerable<TransactionRecord> ReadAsync(
        string jobId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        var readers = new List<IAsyncEnumerator<(long Id, TransactionRecord Row)>>();
        try
        {
            for (var shard = 0; shard < MaxImportWriters; shard++)
            {
                if (await OpenRowsAsync(jobId, shard, create: false, cancellationToken).ConfigureAwait(false) is { } connection)
                {
                    var reader = ReadShardAsync(connection, cancellationToken).GetAsyncEnumerator(cancellationToken);
                    if (await reader.MoveNextAsync().ConfigureAwait(false))
                    {
                        readers.Add(reader);
                    }
                    else
                    {
                        await reader.DisposeAsync().ConfigureAwait(false);
                    }
                }
            }

            // Each shard streams in id order; the smallest id of their heads is the next row of the import.
            while (readers.Count > 0)
            {
                var next = 0;
                for (var i = 1; i < readers.Count; i++)
                {
                    if (readers[i].Current.Id < readers[next].Current.Id)
                    {
                        next = i;
                    }
                }

                yield return readers[next].Current.Row;
                if (!await readers[next].MoveNextAsync().ConfigureAwait(false))
                {
                    await readers[next].DisposeAsync().ConfigureAwait(false);
                    readers.RemoveAt(next);
                }
            }
        }
        finally
        {
            foreach (var reader in readers)
            {
                await reader.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Streams one shard's rows in id order.</summary>
    private static async IAsyncEnumerable<(long Id, TransactionRecord Row)> ReadShardAsync(
        SqliteConnection connection, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using (connection)
        {
            using var command = CreateCommand(connection, null, "SELECT id, amount, day, is_revenue, description FROM rows ORDER BY id;");
            await foreach (var row in ReadRowsAsync(
                command,
                r => (r.GetInt64(0), new TransactionRecord(FromCents(r.GetInt64(1)), DateOnly.FromDayNumber(r.GetInt32(2)), r.GetInt64(3) != 0, r.GetString(4))),
                cancellationToken).ConfigureAwait(false))
            {
                yield return row;
            }
        }
    }

    ValueTask<IReadOnlyList<string>> ITransactionStore.ListStoredJobsAsync(CancellationToken cancellationToken)
    {
        // A file is named by its job's id; an id that is no plain file name (never one the engine formats) is hashed
        // and cannot be listed, but its rows still go with the job.
        IReadOnlyList<string> jobs = Directory.Exists(_rowsDirectory)
            ? [.. Directory.EnumerateFiles(_rowsDirectory, "*.db").Select(Path.GetFileNameWithoutExtension).OfType<string>()
                .Where(name => !name.StartsWith("h-", StringComparison.Ordinal) && !name.Contains('.', StringComparison.Ordinal))]
            : [];
        return ValueTask.FromResult(jobs);
    }

    async ValueTask ITransactionStore.DeleteAsync(string jobId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        if (_rowWriters.Take(jobId) is { } import)
        {
            await import.AbortAsync().ConfigureAwait(false);
        }

        // Removing the files takes the same short time for any number of rows and gives the space back at once. A
        // connection another process still has open keeps reading the unlinked file until it closes it.
        if (Directory.Exists(_rowsDirectory))
        {
            for (var shard = 0; shard < MaxImportWriters; shard++)
            {
                var path = RowsPath(jobId, shard);
                foreach (var suffix in (string[])["-wal", "-shm", "-journal", string.Empty])
                {
                    File.Delete(path + suffix);
                }
            }
        }
    }

    /// <summary>Opens the connection to one of a job's rows files; without <paramref name="create"/>, answers null when there is none.</summary>
    private async ValueTask<SqliteConnection?> OpenRowsAsync(string jobId, int shard, bool create, CancellationToken cancellationToken)
    {
        var path = RowsPath(jobId, shard);
        if (!create && !File.Exists(path))
        {
            return null;
        }

        Directory.CreateDirectory(_rowsDirectory);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, null, _connectionPragmas, cancellationToken).ConfigureAwait(false);
            if (create)
            {
                await ExecuteAsync(connection, null, RowsSchema, cancellationToken).ConfigureAwait(false);
            }

            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>A file of a job's rows: named by its id where that is a plain file name, otherwise by a hash of it; <c>NAME.db</c> for shard 0, <c>NAME.k.db</c> after.</summary>
    private string RowsPath(string jobId, int shard)
    {
        var name = jobId.Length is > 0 and <= 100 && !jobId.AsSpan().ContainsAnyExcept(FileNameCharacters)
            ? jobId
            : "h-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(jobId)));
        return Path.Combine(_rowsDirectory, shard == 0 ? name + ".db" : string.Create(CultureInfo.InvariantCulture, $"{name}.{shard}.db"));
    }

    /// <summary>Inserts the rows with prepared multi-row statements, bound by position through SQLite's own API.</summary>
    /// <remarks>
    /// Microsoft.Data.Sqlite binds every parameter by name (a linear scan of the statement's parameters) and boxes every
    /// value; on this hot path that cost more than SQLite's own work. Bound by position, with descriptions encoded into
    /// one reused buffer, wide statements no longer cost more per row, and <see cref="RowsPerStatement"/> rows per step
    /// save a step and a reset per row. The caller holds the write transaction.
    /// </remarks>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static void InsertRows(sqlite3 database, ReadOnlySpan<TransactionRecord> rows, long firstId)
    {
        var text = ArrayPool<byte>.Shared.Rent(MaxDescriptionBytes);
        sqlite3_stmt? wide = null;
        sqlite3_stmt? single = null;
        try
        {
            var offset = 0;
            if (rows.Length >= RowsPerStatement)
            {
                Check(database, raw.sqlite3_prepare_v2(database, WideInsertSql, out wide));
                for (; rows.Length - offset >= RowsPerStatement; offset += RowsPerStatement)
                {
                    for (var row = 0; row < RowsPerStatement; row++)
                    {
                        Bind(database, wide, row * ColumnCount, rows[offset + row], firstId + offset + row, text);
                    }

                    Step(database, wide);
                }
            }

            if (offset < rows.Length)
            {
                Check(database, raw.sqlite3_prepare_v2(database, InsertSql, out single));
                for (; offset < rows.Length; offset++)
                {
                    Bind(database, single, 0, rows[offset], firstId + offset, text);
                    Step(database, single);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(text);
            wide?.Dispose();
            single?.Dispose();
        }
    }

    private static void Bind(sqlite3 database, sqlite3_stmt statement, int first, in TransactionRecord row, long id, byte[] buffer)
    {
        var description = row.Description;
        var bytes = description.Length <= TransactionLimits.MaxDescriptionLength ? buffer : new byte[Encoding.UTF8.GetByteCount(description)];
        var text = bytes.AsSpan(0, Encoding.UTF8.GetBytes(description, bytes));
        var cents = ToCents(row.Amount);
        var revenue = row.IsRevenue ? 1L : 0L;
        if (SqliteNative.IsAvailable)
        {
            // The statement object stays referenced by the caller until it is disposed, so the pointer stays valid.
            var handle = statement.DangerousGetHandle();
            Check(database, SqliteNative.BindInt64(handle, first + 1, id));
            Check(database, SqliteNative.BindInt64(handle, first + 2, cents));
            Check(database, SqliteNative.BindInt64(handle, first + 3, row.Date.DayNumber));
            Check(database, SqliteNative.BindInt64(handle, first + 4, revenue));
            Check(database, SqliteNative.BindText(handle, first + 5, text));
            return;
        }

        Check(database, raw.sqlite3_bind_int64(statement, first + 1, id));
        Check(database, raw.sqlite3_bind_int64(statement, first + 2, cents));
        Check(database, raw.sqlite3_bind_int64(statement, first + 3, row.Date.DayNumber));
        Check(database, raw.sqlite3_bind_int64(statement, first + 4, revenue));

        // SQLITE_TRANSIENT: SQLite copies the text, so the buffer is free for the next row.
        Check(database, raw.sqlite3_bind_text(statement, first + 5, text));
    }

    private static void Step(sqlite3 database, sqlite3_stmt statement)
    {
        var native = SqliteNative.IsAvailable;
        var step = native ? SqliteNative.Step(statement.DangerousGetHandle()) : raw.sqlite3_step(statement);
        if (step != raw.SQLITE_DONE)
        {
            Check(database, step);
        }

        Check(database, native ? SqliteNative.Reset(statement.DangerousGetHandle()) : raw.sqlite3_reset(statement));
    }

    private static string BuildInsertSql(int rows) =>
        "INSERT INTO rows (id, amount, day, is_revenue, description) VALUES "
        + string.Join(", ", Enumerable.Range(0, rows).Select(r => string.Join(", ", Enumerable.Range((r * ColumnCount) + 1, ColumnCount).Select(p => "?" + p)) is var list ? $"({list})" : null))
        + ";";

    private static void Check(sqlite3 database, int result)
    {
        if (result != raw.SQLITE_OK)
        {
            throw new SqliteException($"SQLite Error {result}: '{raw.sqlite3_errmsg(database).utf8_to_string()}'.", result);
        }
    }
}
