using Microsoft.Data.Sqlite;

namespace TransactionPipeline;

/// <summary>Reads what the SQLite store keeps of raw rows: one database file per job in the folder next to the database.</summary>
internal static class SqliteRowFiles
{
    /// <summary>Gets the folder of the row files of the database at <paramref name="databasePath"/>.</summary>
    public static string Folder(string databasePath) => Path.GetFullPath(databasePath) + ".rows";

    /// <summary>Gets the row files there are, without their WAL companions.</summary>
    public static string[] Files(string databasePath) =>
        Directory.Exists(Folder(databasePath)) ? Directory.GetFiles(Folder(databasePath), "*.db") : [];

    /// <summary>Gets the bytes of every row file: what a killed import left, whose files (written without a journal) may not open.</summary>
    public static long Bytes(string databasePath) => Files(databasePath).Sum(file => new FileInfo(file).Length);

    /// <summary>Counts every job's stored rows.</summary>
    public static long CountRows(string databasePath)
    {
        long rows = 0;
        foreach (var file in Files(databasePath))
        {
            using var connection = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
            connection.Open();
            using var command = new SqliteCommand("SELECT count(*) FROM rows;", connection);
            rows += (long)command.ExecuteScalar()!;
        }

        return rows;
    }
}
