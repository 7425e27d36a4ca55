using System.Globalization;
using System.Text;

namespace TransactionPipeline.Tests;

/// <summary>Builds request bodies in the seed's shape.</summary>
internal static class TestData
{
    public const string SeedConfigs = """
        "credit_model_config": {
            "model_version": "v2.1",
            "risk_threshold": 0.7,
            "credit_score_weights": {"transaction_volume": 0.4, "revenue_ratio": 0.3, "consistency": 0.3}
        },
        "aggregate_config": {
            "group_by": "date",
            "include_metrics": ["total_amount", "revenue_amount", "transaction_count"],
            "date_range": "last_30_days"
        }
        """;

    public static string Item(string amount, string date, bool isRevenue, string description = "t") =>
        $$"""{"amount": {{amount}}, "date": "{{date}}", "is_revenue": {{(isRevenue ? "true" : "false")}}, "description": "{{description}}"}""";

    public static string Body(IEnumerable<string> items, bool configsFirst = false) => configsFirst
        ? $$"""{{{SeedConfigs}}, "data": [{{string.Join(",", items)}}]}"""
        : $$"""{"data": [{{string.Join(",", items)}}], {{SeedConfigs}}}""";

    public static string Body(params string[] items) => Body(items.AsEnumerable());

    /// <summary>A deterministic body of <paramref name="count"/> items over <paramref name="days"/> days.</summary>
    public static string Generated(int count, int days = 10)
    {
        var items = Enumerable.Range(0, count).Select(i => Item(
            ((i % 997) + (i % 7 / 100m) + 1).ToString("0.00", CultureInfo.InvariantCulture),
            new DateOnly(2024, 1, 1).AddDays(i % days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            i % 3 != 0,
            $"item {i}"));
        return Body(items);
    }

    public static MemoryStream Stream(string body) => new(Encoding.UTF8.GetBytes(body));
}

/// <summary>A forward-only, read-only stream over bytes in memory; subclasses decide how much each read returns.</summary>
internal abstract class ReadOnlyTestStream(byte[] data) : Stream
{
    protected byte[] Data { get; } = data;

    protected int Offset { get; set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => Offset; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected int Copy(Span<byte> buffer, int limit)
    {
        var n = Math.Min(Math.Min(limit, buffer.Length), Data.Length - Offset);
        Data.AsSpan(Offset, n).CopyTo(buffer);
        Offset += n;
        return n;
    }
}

/// <summary>A stream that hands out at most <c>chunk</c> bytes per read, to split every token across reads.</summary>
internal sealed class TrickleStream(byte[] data, int chunk = 1) : ReadOnlyTestStream(data)
{
    public override int Read(Span<byte> buffer) => Copy(buffer, chunk);
}

/// <summary>A stream that fails after <c>failAfter</c> bytes, as a request body does when its client disconnects.</summary>
internal sealed class BrokenStream(byte[] data, int failAfter) : ReadOnlyTestStream(data)
{
    public override int Read(Span<byte> buffer) =>
        Offset >= failAfter ? throw new IOException("The client disconnected.") : Copy(buffer, failAfter - Offset);
}

/// <summary>A stream that returns its bytes in one read, then never completes another, as a client that stops sending.</summary>
internal sealed class StalledStream(byte[] data) : ReadOnlyTestStream(data)
{
    public override int Read(Span<byte> buffer) => Copy(buffer, int.MaxValue);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Offset < Data.Length ? ValueTask.FromResult(Read(buffer.Span)) : new ValueTask<int>(new TaskCompletionSource<int>().Task);
}

/// <summary>A stream that hands out at most <c>chunk</c> bytes per read, each after a short wait, as a slow upload.</summary>
internal sealed class SlowStream(byte[] data, int chunk) : ReadOnlyTestStream(data)
{
    public override int Read(Span<byte> buffer) => Copy(buffer, chunk);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await Task.Delay(15, cancellationToken);
        return Read(buffer.Span);
    }
}
