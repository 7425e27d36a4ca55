using System.Globalization;
using System.Text;
using System.Threading.Channels;
using TransactionPipeline.Aggregation;
using TransactionPipeline.Import;
using TransactionPipeline.Pipeline;
using TransactionPipeline.Import.Json;

namespace TransactionPipeline.Tests.Import.Json;

/// <summary>
/// The aggregate-only read, which scans buffers in pieces on several cores, must sum exactly what reading every item in
/// order sums, and fail exactly where it fails. Pieces are made tiny here so that bodies of a few kilobytes have many
/// seams, and the bodies hide item-shaped text where a piece may guess wrong.
/// </summary>
public sealed class AggregateReadTests
{
    private const int TinyPiece = 256;

    /// <summary>Items the fast scanner takes, and items it leaves to the general path, with traps for guessed piece starts.</summary>
    private static readonly string[] Mixed =
    [
        TestData.Item("12.5", "2024-02-29", true, "plain"),
        """{"amount":7,"date":"2024-03-01","is_revenue":false,"description":"compact"}""",
        TestData.Item("1.10", "2024-03-01", true, """fake end \"},{\"amount\":1,\"date\":\"2024-03-01\",\"is_revenue\":true,\"description\":\"x\"}"""),
        TestData.Item("-3", "2024-03-02", false, "brace } then , { inside"),
        """{"amount": 4, "tags": [{"amount":1000,"date":"2024-03-03","is_revenue":true,"description":"a"},{"amount":2000,"date":"2024-03-03","is_revenue":true,"description":"b"}], "date": "2024-03-03", "is_revenue": true, "description": "item-shaped objects in an unknown array"}""",
        "{\n  \"amount\": 5.05,\n  \"date\": \"2024-03-04\",\n  \"is_revenue\": true,\n  \"description\": \"pretty\"\n}",
        TestData.Item("6", "2024-03-05", true, """Caf\u00e9 \ud83d\ude00 \\ \/ \b\f\n\r\t"""),
        TestData.Item("1E1", "2024-03-05", false, "exponent: general path"),
        TestData.Item("8.00", "1999-12-31", true, "far from the others"),
        TestData.Item("9", "0001-01-01", true, "first day"),
        TestData.Item("10", "9999-12-31", false, "last day"),
        TestData.Item("11", "2024-03-06", true, "Café ☕ raw UTF-8"),
    ];

    public static TheoryData<int, int> Splits => new()
    {
        // buffer size, bytes per read
        { 4096, 4096 },
        { 4096, 1000 },
        { 16_384, 16_384 },
        { 65_536, 7 },
    };

    [Theory]
    [MemberData(nameof(Splits))]
    public async Task AggregateAsync_MixedItems_SameTotalsAsReadingEachItem(int bufferSize, int chunk)
    {
        var body = Encoding.UTF8.GetBytes(TestData.Body(Enumerable.Range(0, 40).SelectMany(_ => Mixed)));

        var expected = await SumOneByOneAsync(body);
        var (actual, items) = await AggregateAsync(new TrickleStream(body, chunk), bufferSize);

        items.Should().Be(40 * Mixed.Length);
        Describe(actual).Should().Equal(Describe(expected), "every item is summed once, with the scale it was written with");
    }

    [Fact]
    public async Task AggregateAsync_MoreOfTheLargestAmountsOnADayThanALongHolds_SameTotalsAsReadingEachItem()
    {
        // 40,000 amounts of about 1e13 on one date: 4e19 hundredths in all, four times a long's 9.2e18, with a few of
        // scale 1 among them.
        var items = Enumerable.Range(0, 40_000).Select(i => TestData.Item(
            i % 1000 == 0 ? "9999999999999.9" : "9999999999999.99", "2024-05-01", i % 6 != 0, $"large {i}"));
        var body = Encoding.UTF8.GetBytes(TestData.Body(items));

        var expected = await SumOneByOneAsync(body);
        var (actual, _) = await AggregateAsync(new MemoryStream(body), 65_536);

        Describe(actual).Should().Equal(Describe(expected));
        actual.ToAggregates(DateRange.All).Single().TotalAmount.Should().Be((40_000 * 9999999999999.99m) - (40 * 0.09m));
    }

    [Fact]
    public async Task AggregateAsync_LargeGeneratedBody_SameTotalsAsReadingEachItem()
    {
        var body = Encoding.UTF8.GetBytes(TestData.Generated(20_000, days: 400));

        var expected = await SumOneByOneAsync(body);
        var (actual, items) = await AggregateAsync(new MemoryStream(body), 64 * 1024, piece: 4096);

        items.Should().Be(20_000);
        Describe(actual).Should().Equal(Describe(expected));
    }

    public static TheoryData<string, string> BadItems => new()
    {
        { TestData.Item("1.234", "2024-01-15", true), "more than 2 decimal places" },
        { TestData.Item("1", "2024-02-30", true), "not a valid date" },
        { TestData.Item("1", "2024-01-01", true, "\\x"), "Malformed JSON" },
        { TestData.Item("1", "2024-01-01", true, "\\ud800 lone surrogate"), "surrogate" },
        { TestData.Item("1", "2024-01-01", true, new string('x', 256)), "at most 255" },
        { """{"amount": 1, "date": "2024-01-01", "is_revenue": true}""", "no \"description\"" },
    };

    [Theory]
    [MemberData(nameof(BadItems))]
    public async Task AggregateAsync_BadItemDeepInBody_SameErrorAsGeneralPath(string badItem, string message)
    {
        var good = Enumerable.Range(0, 300).Select(i => TestData.Item((i + 1).ToString(CultureInfo.InvariantCulture), "2024-01-01", true));
        var body = Encoding.UTF8.GetBytes(TestData.Body(good.Append(badItem).Concat(good)));

        var general = await FailAsync(() => ReadAsync(new MemoryStream(body), fastPath: false));
        var aggregate = await FailAsync(() => AggregateAsync(new MemoryStream(body), 4096));

        aggregate.Should().BeEquivalentTo(general);
        aggregate.Message.Should().Contain(message);
        aggregate.ItemIndex.Should().Be(300);
    }

    [Theory]
    [InlineData("""plain \" quote""")]
    [InlineData("""\u0041\u00e9\u20ac""")]
    [InlineData("""\ud83d\ude00 pair""")]
    [InlineData("""\u0000 escaped NUL""")]
    public async Task AggregateAsync_ValidEscapes_AreAccepted(string description)
    {
        var body = Encoding.UTF8.GetBytes(TestData.Body(Enumerable.Range(0, 200).Select(_ => TestData.Item("1", "2024-01-01", true, description))));

        var (totals, items) = await AggregateAsync(new MemoryStream(body), 4096);

        items.Should().Be(200);
        Describe(totals).Should().Equal("2024-01-01 200 200 200");
    }

    [Fact]
    public void DailyTotals_DatesFarApart_KeepOneEntryEach()
    {
        var totals = new DailyTotals();
        var dates = new[] { "2024-01-01", "1900-06-30", "2200-01-01", "0001-01-01", "9999-12-31", "2024-01-01", "1900-06-30" };
        foreach (var date in dates)
        {
            totals.Add(new TransactionRecord(1.5m, DateOnly.Parse(date, CultureInfo.InvariantCulture), true, string.Empty));
        }

        var merged = new DailyTotals();
        merged.Add(new TransactionRecord(2m, new DateOnly(2024, 1, 1), false, string.Empty));
        merged.Merge(totals);

        Describe(merged).Should().Equal(
            "0001-01-01 1.5 1.5 1",
            "1900-06-30 3.0 3.0 2",
            "2024-01-01 5.0 3.0 3",
            "2200-01-01 1.5 1.5 1",
            "9999-12-31 1.5 1.5 1");
    }

    private static string[] Describe(DailyTotals totals) => totals.ToAggregates(DateRange.All)
        .Select(a => string.Create(CultureInfo.InvariantCulture, $"{a.Date:yyyy-MM-dd} {a.TotalAmount} {a.RevenueAmount} {a.TransactionCount}"))
        .ToArray();

    private static async Task<DailyTotals> SumOneByOneAsync(byte[] body)
    {
        var totals = new DailyTotals();
        foreach (var row in await ReadAsync(new MemoryStream(body), fastPath: false))
        {
            totals.Add(row);
        }

        return totals;
    }

    private static async Task<List<TransactionRecord>> ReadAsync(Stream input, bool fastPath)
    {
        var channel = Channel.CreateUnbounded<TransactionBatch>();
        var reader = new TransactionJsonReader(input, 4096, 1024 * 1024, 100, fastPath);
        await reader.ReadAsync(channel.Writer, CancellationToken.None);
        channel.Writer.Complete();
        var rows = new List<TransactionRecord>();
        await foreach (var batch in channel.Reader.ReadAllAsync())
        {
            rows.AddRange(batch.Items.ToArray());
        }

        return rows;
    }

    private static async Task<(DailyTotals Totals, long Items)> AggregateAsync(Stream input, int bufferSize, int piece = TinyPiece)
    {
        var totals = new DailyTotals();
        var reader = new TransactionJsonReader(input, bufferSize, 1024 * 1024, 100, keepDescriptions: false, parallelPieceBytes: piece);
        await reader.AggregateAsync(totals, _ => ValueTask.CompletedTask, CancellationToken.None);
        return (totals, reader.ItemsRead);
    }

    private static async Task<JobError> FailAsync(Func<Task> act)
    {
        var failure = await act.Should().ThrowAsync<InvalidInputException>();
        return failure.Which.Error;
    }
}
