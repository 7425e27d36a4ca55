using System.Globalization;
using System.Text;
using System.Threading.Channels;
using TransactionPipeline.Import.Json;

namespace TransactionPipeline.Benchmarks;

/// <summary>Streams the rows of a seed-shaped file with the SDK's reader, and derives the CSV and NDJSON copies the references read.</summary>
internal static class SeedRows
{
    public const int BatchSize = 5_000;

    public static string CsvPath(string seedFile) => seedFile + ".csv";

    public static string NdjsonPath(string seedFile) => seedFile + ".ndjson";

    /// <summary>Parses <paramref name="input"/> on one task and hands each batch to <paramref name="consume"/> on another.</summary>
    public static async Task<long> ReadAsync(Stream input, Action<TransactionBatch> consume, bool fastPath = true, bool keepDescriptions = true)
    {
        var channel = Channel.CreateBounded<TransactionBatch>(new BoundedChannelOptions(8) { SingleReader = true, SingleWriter = true });
        var reader = new TransactionJsonReader(input, 256 * 1024, 1024 * 1024, BatchSize, fastPath, keepDescriptions);
        var producer = Task.Run(async () =>
        {
            try
            {
                await reader.ReadAsync(channel.Writer, CancellationToken.None);
            }
            finally
            {
                channel.Writer.TryComplete();
            }
        });
        long rows = 0;
        await foreach (var batch in channel.Reader.ReadAllAsync())
        {
            consume(batch);
            rows += batch.Count;
            batch.Release();
        }

        await producer;
        return rows;
    }

    /// <summary>Writes the same rows as CSV (for the sqlite3 CLI) and as newline-delimited JSON (for DuckDB), once per input file.</summary>
    public static async Task DeriveAsync(string seedFile)
    {
        if (File.Exists(CsvPath(seedFile)) && File.Exists(NdjsonPath(seedFile)))
        {
            return;
        }

        await using var input = OpenSequential(seedFile);
        await using var csv = new StreamWriter(CsvPath(seedFile), false, new UTF8Encoding(false), 1 << 20);
        await using var ndjson = new StreamWriter(NdjsonPath(seedFile), false, new UTF8Encoding(false), 1 << 20);
        csv.Write("amount,date,is_revenue,description\n");
        await ReadAsync(input, batch =>
        {
            foreach (var row in batch.Items.Span)
            {
                var amount = row.Amount.ToString(CultureInfo.InvariantCulture);
                var date = row.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                csv.Write($"{amount},{date},{(row.IsRevenue ? 1 : 0)},\"{row.Description.Replace("\"", "\"\"", StringComparison.Ordinal)}\"\n");
                ndjson.Write($"{{\"amount\":{amount},\"date\":\"{date}\",\"is_revenue\":{(row.IsRevenue ? "true" : "false")},\"description\":{System.Text.Json.JsonSerializer.Serialize(row.Description)}}}\n");
            }
        });
    }

    public static FileStream OpenSequential(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
}

/// <summary>In-memory seed-shaped data for the micro benchmarks.</summary>
internal static class BenchmarkData
{
    /// <summary>A seed-shaped body of about <paramref name="bytes"/> bytes, from the quick start's generator.</summary>
    public static byte[] SeedBody(long bytes)
    {
        var path = Path.GetTempFileName();
        try
        {
            QuickStart.DataGenerator.WriteAsync(path, bytes, 365, CancellationToken.None).GetAwaiter().GetResult();
            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    public static TransactionRecord[] Records(byte[] body)
    {
        var records = new List<TransactionRecord>();
        SeedRows.ReadAsync(new MemoryStream(body), batch => records.AddRange(batch.Items.Span)).GetAwaiter().GetResult();
        return [.. records];
    }
}
