using System.Text.Json;
using BenchmarkDotNet.Attributes;

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

    /// <summary>The streaming reader without descriptions, as in aggregate-only mode.</summary>
    [Benchmark]
    public Task<long> StreamingReaderAggregateOnly() => SeedRows.ReadAsync(new MemoryStream(_body), static _ => { }, keepDescriptions: false);

    /// <summary>The streaming reader with the fast path off: every item through Utf8JsonReader.</summary>
    [Benchmark]
    public Task<long> StreamingReaderGeneralPath() => SeedRows.ReadAsync(new MemoryStream(_body), static _ => { }, fastPath: false);
}
