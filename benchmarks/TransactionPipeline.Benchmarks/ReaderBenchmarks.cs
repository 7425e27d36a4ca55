using System.Text.Json;
using BenchmarkDotNet.Attributes;
using TransactionPipeline.Aggregation;
using TransactionPipeline.Import;
using TransactionPipeline.Pipeline;
using TransactionPipeline.Import.Json;

namespace TransactionPipeline.Benchmarks;

/// <summary>Reading an 8 MB seed-shaped body into transactions; divide 8 MB by the mean for MB/s.</summary>
public class ReaderBenchmarks
{
    private byte[] _body = [];

    [GlobalSetup]
    public void Setup() => _body = BenchmarkData.SeedBody(8 << 20);

    /// <summary>What a web handler would do: deserialise the whole document.</summary>
    [Benchmark(Baseline = true)]
    public int JsonSerializerDeserialize() => JsonSerializer.Deserialize<SeedDocument>(_body, SeedDocument.Options)!.Data.Count;

    /// <summary>The SDK's streaming reader, as the pipeline runs it when rows are stored.</summary>
    [Benchmark]
    public Task<long> StreamingReader() => SeedRows.ReadAsync(new MemoryStream(_body), static _ => { });

    /// <summary>The streaming reader in order without descriptions, as with a transaction stage and no rows stored.</summary>
    [Benchmark]
    public Task<long> StreamingReaderNoDescriptions() => SeedRows.ReadAsync(new MemoryStream(_body), static _ => { }, keepDescriptions: false);

    /// <summary>The aggregate-only read: summed per date on all cores, in 8 MiB reads.</summary>
    [Benchmark]
    public async Task<long> AggregateOnParallelPieces()
    {
        var reader = new TransactionJsonReader(new MemoryStream(_body), 8 << 20, 1 << 20, SeedRows.BatchSize, keepDescriptions: false);
        await reader.AggregateAsync(new DailyTotals(), static _ => ValueTask.CompletedTask, CancellationToken.None);
        return reader.ItemsRead;
    }

    /// <summary>The streaming reader with the fast path off: every item through Utf8JsonReader.</summary>
    [Benchmark]
    public Task<long> StreamingReaderGeneralPath() => SeedRows.ReadAsync(new MemoryStream(_body), static _ => { }, fastPath: false);
}
