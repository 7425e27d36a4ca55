using System.Globalization;
using System.Text;
using System.Threading.Channels;
using TransactionPipeline.Aggregation;
using TransactionPipeline.Import;
using TransactionPipeline.Pipeline;
using TransactionPipeline.Import.Json;

namespace TransactionPipeline.Tests.Import.Json;

/// <summary>Cases where reading in pieces, in 8 MiB reads or in order once differed; each now gives what the in-order reader gives.</summary>
public sealed class ReadConsistencyTests
{
    /// <summary>
    /// decimal addition is not associative in the sign of a zero result (-1 + 1 is -0, 0 + -0 is +0), so summing a piece
    /// on its own and merging it can flip the sign of a zero total that the in-order read produces.
    /// </summary>
    [Fact]
    public async Task AggregateAsync_ZeroTotal_SameSignAsReadingInOrder()
    {
        // The first item is read by the general path into a batch, added to the totals after the pieces are merged.
        var items = new[] { TestData.Item("-1", "2024-01-01", true), TestData.Item("1", "2024-01-01", true) }
            .Concat(Enumerable.Range(0, 80).Select(_ => TestData.Item("1", "2024-02-01", true)));
        var body = Encoding.UTF8.GetBytes(TestData.Body(items));

        var general = new DailyTotals();
        var channel = Channel.CreateUnbounded<TransactionBatch>();
        await new TransactionJsonReader(new MemoryStream(body), 4096, 1024 * 1024, 100, fastPath: false).ReadAsync(channel.Writer, CancellationToken.None);
        channel.Writer.Complete();
        await foreach (var batch in channel.Reader.ReadAllAsync())
        {
            general.Add(batch.Items.Span);
        }

        var aggregate = new DailyTotals();
        await new TransactionJsonReader(new MemoryStream(body), 4096, 1024 * 1024, 100, keepDescriptions: false, parallelPieceBytes: 256)
            .AggregateAsync(aggregate, _ => ValueTask.CompletedTask, CancellationToken.None);

        Bits(aggregate).Should().Equal(Bits(general));
    }

    /// <summary>The same, on DailyTotals alone: Merge must give what adding the rows one by one gives.</summary>
    [Fact]
    public void DailyTotals_Merge_SameBitsAsAddingInOrder()
    {
        var day = new DateOnly(2024, 1, 1);
        var inOrder = new DailyTotals();
        var merged = new DailyTotals();
        var piece = new DailyTotals();
        inOrder.Add(new TransactionRecord(0m, day, false, string.Empty));
        merged.Add(new TransactionRecord(0m, day, false, string.Empty));
        foreach (var amount in new[] { -1m, 1m })
        {
            inOrder.Add(new TransactionRecord(amount, day, false, string.Empty));
            piece.Add(new TransactionRecord(amount, day, false, string.Empty));
        }

        merged.Merge(piece);

        Bits(merged).Should().Equal(Bits(inOrder)); // in order: -0; merged: +0
    }

    /// <summary>
    /// A value longer than MaxValueSize must fail whatever the read size and however the stream splits the body, as it
    /// did before the read-ahead window. Now it fails only when it straddles a read: the aggregate-only import (8 MiB
    /// reads) accepts what the ordinary import (InputBufferSize reads) rejects, and one reader accepts or rejects the same
    /// body depending on the stream's chunking.
    /// </summary>
    [Theory]
    [InlineData(256 * 1024, int.MaxValue, false)]      // the ordinary import: InputBufferSize reads (default 256 KiB)
    [InlineData(8 * 1024 * 1024, int.MaxValue, true)]  // the aggregate-only import: 8 MiB reads
    [InlineData(8 * 1024 * 1024, int.MaxValue, false)] // same reader settings, general path
    [InlineData(8 * 1024 * 1024, 64 * 1024, false)]    // same, stream returning 64 KiB per read
    public async Task Read_ValueLargerThanMaxValueSize_FailsWhateverTheReadSize(int bufferSize, int chunk, bool aggregate)
    {
        var huge = $$"""{"amount": 1, "date": "2024-01-01", "is_revenue": true, "description": "t", "extra": "{{new string('x', 2 * 1024 * 1024)}}"}""";
        var body = Encoding.UTF8.GetBytes(TestData.Body(TestData.Item("1", "2024-01-01", true), huge));
        var reader = new TransactionJsonReader(new TrickleStream(body, chunk), bufferSize, 1024 * 1024, 100, fastPath: aggregate, keepDescriptions: !aggregate);

        Func<Task> act = aggregate
            ? () => reader.AggregateAsync(new DailyTotals(), _ => ValueTask.CompletedTask, CancellationToken.None)
            : () => reader.ReadAsync(Channel.CreateUnbounded<TransactionBatch>().Writer, CancellationToken.None);

        var error = (await act.Should().ThrowAsync<InvalidInputException>()).Which.Error;
        error.Message.Should().Contain("larger than the 1024 KiB");
        error.ItemIndex.Should().Be(1);
    }

    /// <summary>
    /// Utf8JsonReader puts the whole rest of its buffer into an invalid-literal message. With the aggregate-only import
    /// reading 8 MiB at a time, the same body fails with another message (megabytes long) than the ordinary import
    /// reading InputBufferSize (256 KiB) at a time.
    /// </summary>
    [Fact]
    public async Task AggregateImportAndOrdinaryImport_InvalidLiteral_SameError()
    {
        var good = Enumerable.Range(0, 20_000).Select(_ => TestData.Item("1", "2024-01-01", true));
        var bad = """{"amount": 1, "date": "2024-01-01", "is_revenue": tru, "description": "x"}""";
        var body = Encoding.UTF8.GetBytes(TestData.Body(good.Take(1).Append(bad).Concat(good)));

        // The sizes DefaultPipeline passes: ImportRowsAsync uses InputBufferSize, AggregateAsync max(InputBufferSize, 8 MiB).
        var ordinary = new TransactionJsonReader(new MemoryStream(body), 256 * 1024, 1024 * 1024, 1000, fastPath: false);
        var aggregate = new TransactionJsonReader(new MemoryStream(body), 8 * 1024 * 1024, 1024 * 1024, 1000, keepDescriptions: false);

        var expected = (await ((Func<Task>)(() => ordinary.ReadAsync(Channel.CreateUnbounded<TransactionBatch>().Writer, CancellationToken.None)))
            .Should().ThrowAsync<InvalidInputException>()).Which.Error;
        var actual = (await ((Func<Task>)(() => aggregate.AggregateAsync(new DailyTotals(), _ => ValueTask.CompletedTask, CancellationToken.None)))
            .Should().ThrowAsync<InvalidInputException>()).Which.Error;

        actual.ItemIndex.Should().Be(expected.ItemIndex);
        actual.ByteOffset.Should().Be(expected.ByteOffset);
        actual.Message.Length.Should().Be(expected.Message.Length);
        actual.Message.Length.Should().BeLessThan(1000, "a job error should not carry megabytes of the body");
    }

    private static string[] Bits(DailyTotals totals) => totals.ToAggregates(DateRange.All)
        .Select(a => string.Create(
            CultureInfo.InvariantCulture,
            $"{a.Date:yyyy-MM-dd} total {string.Join(",", decimal.GetBits(a.TotalAmount))} revenue {string.Join(",", decimal.GetBits(a.RevenueAmount))} count {a.TransactionCount}"))
        .ToArray();
}
