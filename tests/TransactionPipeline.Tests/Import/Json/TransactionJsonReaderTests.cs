using System.Text;
using System.Threading.Channels;
using TransactionPipeline.Aggregation;
using TransactionPipeline.Import.Json;

namespace TransactionPipeline.Tests.Import.Json;

public sealed class TransactionJsonReaderTests
{
    private static async Task<(List<TransactionRecord> Rows, PipelineConfiguration Config)> ReadAsync(
        Stream input, int batchSize = 3, int bufferSize = 4096, bool fastPath = true)
    {
        var channel = Channel.CreateUnbounded<TransactionBatch>();
        var reader = new TransactionJsonReader(input, bufferSize, 1024 * 1024, batchSize, fastPath);
        var config = await reader.ReadAsync(channel.Writer, CancellationToken.None);
        channel.Writer.Complete();
        var rows = new List<TransactionRecord>();
        await foreach (var batch in channel.Reader.ReadAllAsync())
        {
            rows.AddRange(batch.Items.ToArray());
        }

        return (rows, config);
    }

    private static Task<(List<TransactionRecord> Rows, PipelineConfiguration Config)> ReadAsync(string body) => ReadAsync(TestData.Stream(body));

    private static async Task<JobError> FailAsync(string body) => await FailAsync(Encoding.UTF8.GetBytes(body));

    private static async Task<JobError> FailAsync(byte[] body)
    {
        var act = () => ReadAsync(new MemoryStream(body));
        var failure = await act.Should().ThrowAsync<InvalidInputException>();
        return failure.Which.Error;
    }

    public static TheoryData<string, string> SkippedInvalidUtf8 => new()
    {
        // Where the bad byte sits: each place is skipped by the reader, yet must be UTF-8 all the same.
        { "unknown item value", """{"data": [{"amount": 1.00, "date": "2024-01-01", "is_revenue": true, "description": "a", "note": "x\u00ff"}]}""" },
        { "unknown item name", """{"data": [{"amount": 1.00, "date": "2024-01-01", "is_revenue": true, "description": "a", "n\u00ffte": 1}]}""" },
        { "nested unknown item value", """{"data": [{"amount": 1.00, "date": "2024-01-01", "is_revenue": true, "description": "a", "meta": {"k": ["\u00ff"]}}]}""" },
        { "unknown root name", """{"x\u00ff": 1, "data": [{"amount": 1.00, "date": "2024-01-01", "is_revenue": true, "description": "a"}]}""" },
        { "unknown root value", """{"data": [{"amount": 1.00, "date": "2024-01-01", "is_revenue": true, "description": "a"}], "extra": {"v": "\u00ff"}}""" },
    };

    [Theory]
    [MemberData(nameof(SkippedInvalidUtf8))]
    public async Task ReadAsync_InvalidUtf8InASkippedNameOrValue_FailsAtTheBadByte(string where, string template)
    {
        // The template marks the bad byte with \u00ff; the body holds the lone byte 0xFF there, which is never UTF-8.
        var marker = Encoding.UTF8.GetBytes("\\u00ff");
        var text = Encoding.UTF8.GetBytes(template);
        var at = text.AsSpan().IndexOf(marker);
        var body = text[..at].Concat(new byte[] { 0xFF }).Concat(text[(at + marker.Length)..]).ToArray();

        foreach (var fastPath in new[] { true, false })
        {
            var act = () => ReadAsync(new MemoryStream(body), fastPath: fastPath);
            var error = (await act.Should().ThrowAsync<InvalidInputException>(where)).Which.Error;

            error.Message.Should().Contain("not valid UTF-8", where);
            error.ByteOffset.Should().Be(at, where);
        }

        var totals = new DailyTotals();
        var aggregate = () => new TransactionJsonReader(new MemoryStream(body), 4096, 1024 * 1024, 3, keepDescriptions: false)
            .AggregateAsync(totals, _ => ValueTask.CompletedTask, CancellationToken.None);
        (await aggregate.Should().ThrowAsync<InvalidInputException>(where)).Which.Error.ByteOffset.Should().Be(at, where);
    }

    [Fact]
    public async Task ReadAsync_SeedExample_ReadsTransactionAndConfigs()
    {
        var (rows, config) = await ReadAsync(TestData.Body(TestData.Item("1500.00", "2024-01-15", true, "Revenue transaction")));

        rows.Should().Equal(new TransactionRecord(1500.00m, new DateOnly(2024, 1, 15), true, "Revenue transaction"));
        config.CreditModel.ModelVersion.Should().Be("v2.1");
        config.CreditModel.RiskThreshold.Should().Be(0.7m);
        config.CreditModel.Weights.Should().Be(new CreditScoreWeights(0.4m, 0.3m, 0.3m));
        config.CreditModel.RawJson.Should().Contain("\"model_version\": \"v2.1\"");
        config.Aggregate.DateRange.LastDays.Should().Be(30);
        config.Aggregate.IncludeMetrics.Should().Equal("total_amount", "revenue_amount", "transaction_count");
    }

    [Fact]
    public async Task ReadAsync_ConfigsBeforeData_SameResultAsAfter()
    {
        var items = Enumerable.Range(1, 10).Select(i => TestData.Item($"{i}.25", $"2024-02-{i:00}", i % 2 == 0)).ToArray();

        var after = await ReadAsync(TestData.Body(items));
        var before = await ReadAsync(TestData.Body(items, configsFirst: true));

        before.Rows.Should().Equal(after.Rows);
        before.Config.CreditModel.Should().BeEquivalentTo(after.Config.CreditModel);
        before.Config.Aggregate.DateRange.Should().Be(after.Config.Aggregate.DateRange);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(64)]
    public async Task ReadAsync_TinyReads_SameResultAsOneRead(int chunk)
    {
        var body = TestData.Body(
            [
                TestData.Item("0.01", "2024-01-01", true, "caf\\u00e9 \\\"quoted\\\" \\n line"),
                TestData.Item("-9999999999999.99", "2024-12-31", false, "日本語 🚀"),
                TestData.Item("1E2", "2024-02-29", true),
            ],
            configsFirst: chunk % 2 == 0);
        var bytes = Encoding.UTF8.GetBytes(body);

        var whole = await ReadAsync(new MemoryStream(bytes), bufferSize: 4096);
        var trickled = await ReadAsync(new TrickleStream(bytes, chunk), bufferSize: 4096);

        trickled.Rows.Should().Equal(whole.Rows);
        whole.Rows.Should().HaveCount(3);
        whole.Rows[0].Description.Should().Be("café \"quoted\" \n line");
        whole.Rows[1].Description.Should().Be("日本語 🚀");
        whole.Rows[1].Amount.Should().Be(-9999999999999.99m);
        whole.Rows[2].Amount.Should().Be(100m);
    }

    [Fact]
    public async Task ReadAsync_ValueLargerThanBuffer_GrowsBuffer()
    {
        var description = new string('x', 200);
        var (rows, _) = await ReadAsync(new TrickleStream(Encoding.UTF8.GetBytes(TestData.Body(TestData.Item("1", "2024-01-01", true, description))), 3), bufferSize: 16);

        rows.Single().Description.Should().Be(description);
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(4096)]
    [InlineData(int.MaxValue)]
    public async Task ReadAsync_ValueLongerThanTheReadsButWithinLimit_IsRead(int chunk)
    {
        // 300 KB in one item: more than the reads and the reader's first headroom, less than MaxValueSize.
        var long300K = $$"""{"amount": 2, "date": "2024-01-02", "is_revenue": false, "description": "long", "note": "{{new string('n', 300_000)}}"}""";
        var body = TestData.Body(TestData.Item("1", "2024-01-01", true), long300K, TestData.Item("3", "2024-01-03", true));
        var (rows, _) = await ReadAsync(new TrickleStream(Encoding.UTF8.GetBytes(body), chunk), batchSize: 2, bufferSize: 4096);

        rows.Select(r => r.Amount).Should().Equal(1m, 2m, 3m);
        rows[1].Description.Should().Be("long");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4096)]
    public async Task ReadAsync_ValueLargerThanLimit_FailsWithItemAndOffset(int chunk)
    {
        var good = TestData.Item("1", "2024-01-01", true);
        var huge = TestData.Item("2", "2024-01-01", true, new string('x', 10_000));
        var body = TestData.Body(good, huge, good);
        var channel = Channel.CreateUnbounded<TransactionBatch>();
        var reader = new TransactionJsonReader(new TrickleStream(Encoding.UTF8.GetBytes(body), chunk), 1024, 4096, 10);

        var act = () => reader.ReadAsync(channel.Writer, CancellationToken.None);

        var error = (await act.Should().ThrowAsync<InvalidInputException>()).Which.Error;
        error.Message.Should().Contain("larger than the 4 KiB the reader allows");
        error.ItemIndex.Should().Be(1);
        error.ByteOffset.Should().Be(body.IndexOf(huge, StringComparison.Ordinal) - 1, "the unit starts at the comma before the item");
    }

    [Fact]
    public async Task ReadAsync_BadItemWhileNextReadNeverCompletes_FailsWithoutWaitingForIt()
    {
        // The reader reads ahead: the failure must not wait for a read the client will never finish.
        var body = Encoding.UTF8.GetBytes(TestData.Body(TestData.Item("1", "2024-01-01", true), TestData.Item("1", "2024-13-01", true)));
        var channel = Channel.CreateUnbounded<TransactionBatch>();
        var reader = new TransactionJsonReader(new StalledStream(body[..^20]), 4096, 1024 * 1024, 10);

        var act = () => reader.ReadAsync(channel.Writer, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        var error = (await act.Should().ThrowAsync<InvalidInputException>()).Which.Error;
        error.Message.Should().Contain("not a valid date");
        error.ItemIndex.Should().Be(1);
    }

    [Fact]
    public async Task ReadAsync_EscapedPropertyNamesAndDate_AreUnescaped()
    {
        var body = """{"d\u0061ta": [{"\u0061mount": 5, "date": "\u0032024-03-01", "is_revenue": false, "description": ""}]}""";

        var (rows, config) = await ReadAsync(body);

        rows.Should().Equal(new TransactionRecord(5m, new DateOnly(2024, 3, 1), false, string.Empty));
        config.Should().Be(PipelineConfiguration.Default);
    }

    [Fact]
    public async Task ReadAsync_WhitespaceUnknownPropertiesAndAnyOrder_AreAccepted()
    {
        var body = "\r\n\t{ \"meta\" : {\"a\":[1,{\"b\":null}]} ,\n \"data\" : [ \n { \"description\" : \"d\" , \"id\": [1,2], \"is_revenue\" : true , \"date\" : \"2024-05-06\" , \"amount\" : 12.5 } \n ] \n } \n ";

        var (rows, _) = await ReadAsync(new TrickleStream(Encoding.UTF8.GetBytes(body), 1));

        rows.Should().Equal(new TransactionRecord(12.5m, new DateOnly(2024, 5, 6), true, "d"));
    }

    [Fact]
    public async Task ReadAsync_ManyItems_BatchesInOrder()
    {
        var channel = Channel.CreateUnbounded<TransactionBatch>();
        var reader = new TransactionJsonReader(TestData.Stream(TestData.Generated(10)), 4096, 1024 * 1024, 4);

        await reader.ReadAsync(channel.Writer, CancellationToken.None);
        channel.Writer.Complete();
        var batches = new List<(long First, int Count)>();
        await foreach (var batch in channel.Reader.ReadAllAsync())
        {
            batches.Add((batch.FirstItemIndex, batch.Count));
        }

        batches.Should().Equal((0L, 4), (4L, 4), (8L, 2));
        reader.ItemsRead.Should().Be(10);
    }

    [Fact]
    public async Task ReadAsync_EmptyDataArray_ReadsNothing()
    {
        var (rows, _) = await ReadAsync("""{"data": []}""");

        rows.Should().BeEmpty();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(13)]
    [InlineData(4096)]
    public async Task ReadAsync_FastPath_SameRecordsAndScalesAsGeneralPath(int chunk)
    {
        string[] items =
        [
            TestData.Item("1", "2024-01-01", true, "first, read by the general path"),
            TestData.Item("0", "2024-01-02", false, "plain"),
            TestData.Item("-0", "2024-01-02", false, "negative zero"),
            TestData.Item("-0.00", "2024-01-02", true),
            TestData.Item("12.5", "2024-02-29", true, """Caf\u00e9 \"quoted\" \\ \ud83d\ude00"""),
            TestData.Item("12.50", "2024-12-31", false, "Café raw ☕"),
            TestData.Item("1234567890123.99", "2024-03-01", true, new string('x', 255)),
            TestData.Item("-9999999999999.99", "2024-03-01", false, new string('é', 200)),
            TestData.Item("1.230", "2024-03-02", true, "three decimals, zero last"),
            TestData.Item("1E2", "2024-03-02", true, "exponent"),
            TestData.Item("0.1e1", "2024-03-02", false, "exponent and fraction"),
            """{ "description" : "reordered" , "is_revenue" : false , "date" : "2024-04-01" , "amount" : 7.7 }""",
            "{\n\t\"amount\": 3,\r\n \"date\": \"2024-04-02\", \"is_revenue\": true, \"description\": \"pretty\"\n}",
            """{"amount": 4, "note": {"nested": [1, 2]}, "date": "2024-04-03", "is_revenue": true, "description": "unknown property"}""",
            """{"amount": 5, "date": "2024\u002d04-04", "is_revenue": true, "description": "escaped date"}""",
            TestData.Item("6.05", "2024-04-05", false, ""),
        ];
        var body = Encoding.UTF8.GetBytes(TestData.Body(items.Concat(items)));

        var general = await ReadAsync(new TrickleStream(body, chunk), batchSize: 5, fastPath: false);
        var fast = await ReadAsync(new TrickleStream(body, chunk), batchSize: 5, fastPath: true);

        fast.Rows.Should().Equal(general.Rows);
        fast.Rows.Select(r => decimal.GetBits(r.Amount)).Should().BeEquivalentTo(
            general.Rows.Select(r => decimal.GetBits(r.Amount)), o => o.WithStrictOrdering(), "scale and sign are kept");
    }

    public static TheoryData<string, string, long?, string> BadItems => new()
    {
        // body item, expected message fragment, expected item index, expected path
        { TestData.Item("\"1500.00\"", "2024-01-15", true), "\"amount\" must be a JSON number", 1, "$.data[1].amount" },
        { TestData.Item("12345678901234.00", "2024-01-15", true), "more than 13 digits", 1, "$.data[1].amount" },
        { TestData.Item("1.234", "2024-01-15", true), "more than 2 decimal places", 1, "$.data[1].amount" },
        { TestData.Item("1e400", "2024-01-15", true), "out of range", 1, "$.data[1].amount" },
        { TestData.Item("1.000000000000000000000000000001", "2024-01-15", true), "more than 2 decimal places", 1, "$.data[1].amount" },
        { TestData.Item("1e-30", "2024-01-15", true), "more than 2 decimal places", 1, "$.data[1].amount" },
        { TestData.Item("0." + new string('3', 10_000), "2024-01-15", true), "more than 2 decimal places", 1, "$.data[1].amount" },
        { TestData.Item("1.5e13", "2024-01-15", true), "more than 13 digits", 1, "$.data[1].amount" },
        { TestData.Item("1", "2024-02-30", true), "not a valid date", 1, "$.data[1].date" },
        { TestData.Item("1", "15/01/2024", true), "not a valid date", 1, "$.data[1].date" },
        { TestData.Item("1", "2024-1-5", true), "not a valid date", 1, "$.data[1].date" },
        { """{"amount": 1, "date": "2024-01-01", "is_revenue": "yes", "description": "x"}""", "\"is_revenue\" must be a boolean", 1, "$.data[1].is_revenue" },
        { """{"amount": 1, "date": "2024-01-01", "is_revenue": true, "description": null}""", "\"description\" must be a string", 1, "$.data[1].description" },
        { """{"amount": 1, "date": "2024-01-01", "is_revenue": true}""", "no \"description\" property", 1, "$.data[1].description" },
        { """{"date": "2024-01-01", "is_revenue": true, "description": "x"}""", "no \"amount\" property", 1, "$.data[1].amount" },
        { """{"amount": 1, "amount": 2, "date": "2024-01-01", "is_revenue": true, "description": "x"}""", "appears twice", 1, "$.data[1].amount" },
        { "42", "must be an object", 1, "$.data[1]" },
        { TestData.Item("1", "2024-01-01", true, new string('x', 256)), "at most 255", 1, "$.data[1].description" },
    };

    [Fact]
    public async Task ReadAsync_AmountsWhoseExactValueFits_AreKeptExactly()
    {
        var amounts = new[] { "1.10000000000000000000000000000000000", "12.5e1", "1.005e1", "100e-2", "0.0e99", "-9999999999999.990000", "25E-1" };
        var body = TestData.Body(amounts.Select((a, i) => TestData.Item(a, "2024-01-01", true, $"item {i}")));

        var (rows, _) = await ReadAsync(body);

        rows.Select(r => r.Amount).Should().Equal(1.10m, 125m, 10.05m, 1m, 0m, -9999999999999.99m, 2.5m);
    }

    [Theory]
    [MemberData(nameof(BadItems))]
    public async Task ReadAsync_BadItem_FailsWithItemIndexAndOffset(string badItem, string message, long? itemIndex, string path)
    {
        var good = TestData.Item("1", "2024-01-01", true);
        var body = TestData.Body(good, badItem, good);

        var error = await FailAsync(body);

        error.Kind.Should().Be(JobErrorKind.InvalidInput);
        error.Message.Should().Contain(message).And.Contain($"item {itemIndex}").And.Contain("byte offset");
        error.ItemIndex.Should().Be(itemIndex);
        error.Path.Should().Be(path);
        var start = body.IndexOf(badItem, StringComparison.Ordinal);
        error.ByteOffset.Should().BeInRange(start, start + badItem.Length, "the offset points into the bad item");
    }

    [Fact]
    public async Task ReadAsync_MalformedJson_NamesOffsetAndItem()
    {
        var good = TestData.Item("1", "2024-01-01", true);
        var body = TestData.Body(good, """{"amount": 1, "date": "2024-01-01" "is_revenue": true, "description": "x"}""");

        var error = await FailAsync(body);

        error.Message.Should().StartWith("Malformed JSON");
        error.ItemIndex.Should().Be(1);
        error.ByteOffset.Should().BeGreaterThan(body.IndexOf("\"is_revenue\": true, \"description\": \"x\"}", StringComparison.Ordinal) - 5);
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(0.6)]
    [InlineData(0.99)]
    public async Task ReadAsync_TruncatedBody_FailsAsTruncated(double fraction)
    {
        var bytes = Encoding.UTF8.GetBytes(TestData.Generated(20));
        var cut = bytes.AsSpan(0, (int)(bytes.Length * fraction)).ToArray();

        var error = await FailAsync(cut);

        error.Message.Should().Contain("ended before the JSON document was complete");
        error.ByteOffset.Should().BeLessThanOrEqualTo(cut.Length);
    }

    [Fact]
    public async Task ReadAsync_TruncatedInsideData_NamesNextItem()
    {
        var body = TestData.Body(TestData.Item("1", "2024-01-01", true), TestData.Item("2", "2024-01-02", true));
        var cut = body[..body.IndexOf("\"2024-01-02", StringComparison.Ordinal)];

        var error = await FailAsync(cut);

        error.ItemIndex.Should().Be(1);
        var secondItem = body.IndexOf("{\"amount\": 2", StringComparison.Ordinal);
        error.ByteOffset.Should().BeInRange(secondItem - 1, secondItem, "the last complete item ends just before the comma");
    }

    [Theory]
    [InlineData("", "The body is empty")]
    [InlineData("[]", "must be a JSON object")]
    [InlineData("{\"data\": {}}", "\"data\" must be an array")]
    [InlineData("{\"rows\": []}", "no \"data\" array")]
    [InlineData("{\"data\": [], \"data\": []}", "more than one \"data\"")]
    [InlineData("{\"data\": []} {}", "after the end of the JSON object")]
    [InlineData("{\"data\": []} x", "after the end of the JSON object")]
    public async Task ReadAsync_BadDocument_FailsClearly(string body, string message)
    {
        var error = await FailAsync(body);

        error.Message.Should().Contain(message);
        error.ByteOffset.Should().NotBeNull();
    }

    [Theory]
    [InlineData("""{"group_by": "month"}""", "\"group_by\" \"month\" is not supported")]
    [InlineData("""{"include_metrics": ["total_amount", "median"]}""", "Metric \"median\" is not known")]
    [InlineData("""{"date_range": "last_0_days"}""", "is not \"all\", \"last_N_days\"")]
    [InlineData("""{"date_range": "yesterday"}""", "is not \"all\", \"last_N_days\"")]
    [InlineData("""{"date_range": {"from": "2024-02-01", "to": "2024-01-01"}}""", "before it starts")]
    [InlineData("""{"grouping": "date"}""", "not a known aggregate_config property")]
    [InlineData("""[]""", "must be an object")]
    public async Task ReadAsync_BadAggregateConfig_FailsWithPath(string config, string message)
    {
        var body = $$"""{"data": [], "aggregate_config": {{config}}}""";

        var error = await FailAsync(body);

        error.Message.Should().Contain(message).And.Contain("aggregate_config");
        error.ByteOffset.Should().Be(body.LastIndexOf(config, StringComparison.Ordinal));
        error.Path.Should().StartWith("$.aggregate_config");
    }

    [Theory]
    [InlineData("""{"risk_threshold": 1.5}""", "risk_threshold")]
    [InlineData("""{"risk_threshold": "high"}""", "risk_threshold")]
    [InlineData("""{"credit_score_weights": {"volume": 1}}""", "not a known weight")]
    [InlineData("""{"credit_score_weights": {"transaction_volume": 0, "revenue_ratio": 0, "consistency": 0}}""", "add up to 0")]
    [InlineData("""{"model_version": 2}""", "must be a string")]
    public async Task ReadAsync_BadCreditModelConfig_FailsWithPath(string config, string message)
    {
        var error = await FailAsync($$"""{"credit_model_config": {{config}}, "data": []}""");

        error.Message.Should().Contain(message);
        error.Path.Should().StartWith("$.credit_model_config");
    }

    [Theory]
    [InlineData("\"all\"", null, null, null)]
    [InlineData("\"last_7_days\"", 7, null, null)]
    [InlineData("\"2024-01-01..2024-01-31\"", null, "2024-01-01", "2024-01-31")]
    [InlineData("""{"from": "2024-01-01", "to": "2024-01-31"}""", null, "2024-01-01", "2024-01-31")]
    public async Task ReadAsync_DateRangeForms_AreParsed(string range, int? days, string? from, string? to)
    {
        var (_, config) = await ReadAsync("{\"data\": [], \"aggregate_config\": {\"date_range\": " + range + "}}");

        config.Aggregate.DateRange.LastDays.Should().Be(days);
        config.Aggregate.DateRange.From.Should().Be(from is null ? null : DateOnly.Parse(from, System.Globalization.CultureInfo.InvariantCulture));
        config.Aggregate.DateRange.To.Should().Be(to is null ? null : DateOnly.Parse(to, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task ReadAsync_AsOf_AnchorsLastNDays()
    {
        var (_, config) = await ReadAsync("""{"data": [], "aggregate_config": {"date_range": "last_3_days", "as_of": "2024-01-10"}}""");

        config.Aggregate.DateRange.Resolve(new DateOnly(2024, 12, 31)).Should().Be((new DateOnly(2024, 1, 8), new DateOnly(2024, 1, 10)));
    }
}
