using System.Globalization;
using Microsoft.Data.Sqlite;

namespace TransactionPipeline.Sqlite;

/// <summary>How model values map to SQLite columns: times as UTC ticks, amounts as cents, dates and decimals as text.</summary>
internal static class SqliteValues
{
    public static void AddStatusParameters(SqliteCommand command, JobStatus status)
    {
        var progress = status.Progress;
        var error = status.Error;
        object?[] values =
        [
            StateToText(status.State), status.Stage.ToString(), progress.TransactionsImported, progress.BytesRead, progress.BytesTotal,
            progress.AggregatesCreated, progress.OffersGenerated, ToTicks(status.CreatedAt), ToTicks(status.UpdatedAt),
            status.CompletedAt is { } completedAt ? ToTicks(completedAt) : null,
            error?.Kind.ToString(), error?.Message, error?.ItemIndex, error?.ByteOffset, error?.Path,
        ];
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters.AddWithValue("@" + StatusColumnNames[i], values[i] ?? DBNull.Value);
        }
    }

    public static JobStatus ReadStatus(SqliteDataReader reader, string jobId, int first) =>
        StoredValues.ReadStatus(reader, jobId, first, static (r, i) => FromTicks(r.GetInt64(i)));

    public static long ToTicks(DateTimeOffset value) => value.UtcTicks;

    public static DateTimeOffset FromTicks(long ticks) => new(ticks, TimeSpan.Zero);

    public static decimal FromCents(long cents) => new decimal(cents) / 100m;

    public static string DecimalToText(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    public static decimal TextToDecimal(string text) => decimal.Parse(text, NumberStyles.Number, CultureInfo.InvariantCulture);

    public static string DateToText(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static DateOnly TextToDate(string text) => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);
}
