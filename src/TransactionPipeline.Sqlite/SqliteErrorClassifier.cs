using Microsoft.Data.Sqlite;

namespace TransactionPipeline.Sqlite;

/// <summary>Says which SQLite result codes mean a full disk and which an unreachable database, so a job stopped by one fails with that reason.</summary>
internal sealed class SqliteErrorClassifier : IStoreErrorClassifier
{
    public JobErrorKind? Classify(Exception exception) => exception is SqliteException sqlite
        ? sqlite.SqliteErrorCode switch
        {
            // SQLITE_FULL: the disk (or the database's size limit) is full.
            13 => JobErrorKind.StorageFull,

            // SQLITE_BUSY and SQLITE_LOCKED past the busy timeout, SQLITE_IOERR, SQLITE_CANTOPEN.
            5 or 6 or 10 or 14 => JobErrorKind.StoreUnavailable,
            _ => null,
        }
        : null;
}
