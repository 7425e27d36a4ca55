using System.Globalization;
using System.Text;
using System.Threading.Channels;
using TransactionPipeline.Aggregation;
using TransactionPipeline.Import;
using TransactionPipeline.Pipeline;
using TransactionPipeline.Import.Json;
using Xunit.Abstractions;

namespace TransactionPipeline.Tests.Import.Json;

/// <summary>
/// Differential fuzz: the aggregate-only read (tiny parallel pieces) and the fast in-order read must give exactly what
/// the general in-order reader (fastPath: false) gives, for any body: totals with scale and sign, item count, error.
/// </summary>
public sealed class AggregateFuzzTests(ITestOutputHelper output)
{
    private static readonly string[] Amounts =
    [
        "0", "-0", "0.0", "-0.0", "0.00", "-0.00", "1", "12.5", "12.50", "-3.10", "01", "-01", "00", "1.", ".5", "1.5e0", "1E1",
        "1.500", "1.501", "9999999999999.99", "-9999999999999.99", "10000000000000", "1234567890123", "12345678901234",
        "+1", "- 1", "1 ", " 1", "0.001", "1e-2", "99999999999999999999999999999999", "1.0e2", "-", "0x10", "1.2.3",
        "\"1\"", "null", "true", "[1]", "{}", "7", "123.45", "0.1", "-0.01",
    ];

    private static readonly string[] Dates =
    [
        "2024-02-29", "2023-02-29", "2000-02-29", "1900-02-29", "0000-01-01", "0001-01-01", "9999-12-31", "2024-13-01",
        "2024-00-10", "2024-01-00", "2024-01-32", "2024-04-31", "2024-1-01", "2024/01/01", "20240101", "2024-01-01T00",
        "\\u0032024-01-01", "2024-01-0\\u0031", "2024-01-15", "2024-01-16", "1999-12-31", "٢٠٢٤-01-01", "2024-01-01 ",
        " 2024-01-01", "2024-0a-01", "2024-12-31",
    ];

    private static readonly string[] Descriptions =
    [
        "t", "", "plain", "Café ☕", "\\u00e9", "\\ud83d\\ude00", "\\ud800", "\\udc00", "\\ud800\\u0041", "\\ud83d\\ud83d",
        "\\x", "\\", "\\u12", "\\u12G4", "\\\"}", "},{\\\"amount\\\":1,\\\"date\\\":\\\"2024-01-01\\\",\\\"is_revenue\\\":true,\\\"description\\\":\\\"x\\\"}",
        "a\tb", "a\u0001b", "a\u007fb", "\\u0000", "\\/\\b\\f\\n\\r\\t", new string('x', 254), new string('x', 255), new string('x', 256),
        new string('é', 127), new string('é', 128), new string('é', 200), string.Concat(Enumerable.Repeat("\\n", 127)),
        string.Concat(Enumerable.Repeat("\\n", 128)), string.Concat(Enumerable.Repeat("\\n", 200)),
        new string('x', 250) + "\\u0041", new string('x', 249) + "\\u0041", new string('x', 250) + "\\n", new string('x', 253) + "\\n",
        "\\ud83d\\ude00" + new string('x', 243), "\\ud83d\\ude00" + new string('x', 244), new string('x', 244) + "\\ud83d\\ude00",
        "😀", "\\uD83D\\uDE00", "\\uDBFF\\uDFFF", "\\uFFFF", "\\uFFFE", "x\\", "} , {", "\\u0022", "ab\\u00",
    ];

    private static readonly string[] Spaces = ["", "", "", " ", "\n", "\r\n  ", "\t", "\u00a0", "\f", "\v"];

    [Fact]
    public async Task Fuzz_AggregateAndFastRead_MatchGeneralReader()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("FUZZ_SEED"), out var s) ? s : 12345;
        var iterations = int.TryParse(Environment.GetEnvironmentVariable("FUZZ_ITERATIONS"), out var n) ? n : 300;
        var random = new Random(seed);
        var failures = new List<string>();
        for (var iteration = 0; iteration < iterations && failures.Count < 5; iteration++)
        {
            var body = Encoding.UTF8.GetBytes(RandomBody(random));
            if (random.Next(3) == 0)
            {
                Mutate(random, ref body);
            }

            var big = Environment.GetEnvironmentVariable("FUZZ_BIG") == "1";
            var buffer = big ? random.Next(4096, 70000) : random.Next(3) switch { 0 => 64, 1 => random.Next(64, 2048), _ => 4096 };
            var chunk = random.Next(4) switch { 0 => 1, 1 => random.Next(1, 100), 2 => random.Next(100, 5000), _ => int.MaxValue };
            var piece = big ? random.Next(200, 5000) : random.Next(2) == 0 ? random.Next(16, 128) : random.Next(128, 1024);

            var general = await GeneralAsync(body, buffer, chunk);
            var fast = await FastAsync(body, buffer, chunk);
            var aggregate = await AggregateAsync(body, buffer, chunk, piece);
            // A view holds what a read of the whole buffer would: the same as reads that fill it, to the quoted text of an
            // invalid literal (which the JSON reader takes from what the buffer holds).
            var mapped = await MappedAggregateAsync(body, buffer, piece);
            var whole = chunk == int.MaxValue ? general : await GeneralAsync(body, buffer, int.MaxValue);
            if (general != aggregate || general != fast || whole != mapped)
            {
                failures.Add($"iteration {iteration} buffer {buffer} chunk {chunk} piece {piece}\nbody: {Encoding.UTF8.GetString(body)}\n"
                    + $"general:   {general}\nfast:      {fast}\naggregate: {aggregate}\nmapped:    {mapped}\n");
            }
        }

        foreach (var failure in failures)
        {
            output.WriteLine(failure);
        }

        failures.Should().BeEmpty();
    }

    private static string RandomBody(Random random)
    {
        var count = random.Next(0, Environment.GetEnvironmentVariable("FUZZ_BIG") == "1" ? 3000 : 200);
        var good = random.Next(2) == 0 ? 0.97 : 0.8;
        var items = new List<string>();
        for (var i = 0; i < count; i++)
        {
            items.Add(random.NextDouble() < good ? GoodItem(random) : OddItem(random));
        }

        return random.Next(4) switch
        {
            0 => TestData.Body(items, configsFirst: true),
            1 => "{\"data\":[" + string.Join(Pick(random, [",", ", ", ",\n", " ,"]), items) + "]}",
            _ => TestData.Body(items),
        };
    }

    private static string GoodItem(Random random)
    {
        var amount = random.Next(4) switch
        {
            0 => random.Next(0, 1000).ToString(CultureInfo.InvariantCulture),
            1 => (random.Next(-100000, 100000) / 100m).ToString("0.00", CultureInfo.InvariantCulture),
            2 => (random.Next(-1000, 1000) / 10m).ToString("0.0", CultureInfo.InvariantCulture),
            _ => Pick(random, ["0", "-0", "0.00", "-0.00", "9999999999999.99", "1.1", "-3.10"]),
        };
        var date = new DateOnly(2024, 1, 1).AddDays(random.Next(-30, 30)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        if (random.Next(20) == 0)
        {
            date = Pick(random, ["0001-01-01", "9999-12-31", "1800-01-01", "2300-01-01", "2024-02-29"]);
        }

        var description = random.Next(5) == 0 ? Pick(random, Descriptions[..6]) : "item " + random.Next(1000);
        var compact = random.Next(2) == 0;
        var sep = compact ? string.Empty : " ";
        return $"{{\"amount\":{sep}{amount},{sep}\"date\":{sep}\"{date}\",{sep}\"is_revenue\":{sep}{(random.Next(2) == 0 ? "true" : "false")},{sep}\"description\":{sep}\"{description}\"}}";
    }

    private static string OddItem(Random random)
    {
        var fields = new List<(string Name, string Value)>
        {
            ("amount", random.Next(3) == 0 ? Pick(random, Amounts) : "1.25"),
            ("date", "\"" + (random.Next(3) == 0 ? Pick(random, Dates) : "2024-01-10") + "\""),
            ("is_revenue", Pick(random, ["true", "false", "true", "truex", "null", "1", "\"true\"", "tru"])),
            ("description", "\"" + (random.Next(2) == 0 ? Pick(random, Descriptions) : "odd") + "\""),
        };
        if (random.Next(4) == 0)
        {
            fields.RemoveAt(random.Next(fields.Count));
        }

        if (random.Next(4) == 0)
        {
            fields.Add(fields[random.Next(fields.Count)]);
        }

        if (random.Next(3) == 0)
        {
            fields.Insert(random.Next(fields.Count + 1), (Pick(random, ["extra", "tags", "amount2", "d", "\\u0061mount"]), Pick(random, [
                "1", "[{\"amount\":1000,\"date\":\"2024-03-03\",\"is_revenue\":true,\"description\":\"a\"},{\"amount\":2000,\"date\":\"2024-03-03\",\"is_revenue\":true,\"description\":\"b\"}]",
                "\"},{\\\"amount\\\":1}\"", "{\"a\":{\"b\":[]}}", "null",
            ])));
        }

        if (random.Next(2) == 0)
        {
            Shuffle(random, fields);
        }

        var sb = new StringBuilder();
        sb.Append(Pick(random, Spaces)).Append('{');
        for (var i = 0; i < fields.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(Pick(random, Spaces)).Append(',');
            }

            sb.Append(Pick(random, Spaces)).Append('"').Append(fields[i].Name).Append('"').Append(Pick(random, Spaces)).Append(':')
                .Append(Pick(random, Spaces)).Append(fields[i].Value);
        }

        sb.Append(Pick(random, Spaces)).Append('}').Append(Pick(random, Spaces));
        return sb.ToString();
    }

    private static void Mutate(Random random, ref byte[] body)
    {
        var list = body.ToList();
        for (var k = random.Next(1, 4); k > 0 && list.Count > 0; k--)
        {
            var at = random.Next(list.Count);
            byte b = (byte)(random.Next(3) switch { 0 => random.Next(256), 1 => "{}[],:\"\\ 0-.e"[random.Next(13)], _ => random.Next(0x80, 0x100) });
            switch (random.Next(3))
            {
                case 0: list.Insert(at, b); break;
                case 1: list.RemoveAt(at); break;
                default: list[at] = b; break;
            }
        }

        body = [.. list];
    }

    private static T Pick<T>(Random random, T[] items) => items[random.Next(items.Length)];

    private static void Shuffle<T>(Random random, List<T> list)
    {
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }

    internal static string Describe(DailyTotals totals, long items) =>
        $"items {items}: " + string.Join("; ", totals.ToAggregates(DateRange.All).Select(a =>
            $"{a.Date:yyyy-MM-dd} {Bits(a.TotalAmount)} {Bits(a.RevenueAmount)} {a.TransactionCount}"));

    private static string Bits(decimal d) => string.Join(",", decimal.GetBits(d == 0 && Environment.GetEnvironmentVariable("FUZZ_IGNORE_ZERO_SIGN") == "1" ? decimal.Abs(d) : d).Select(x => x.ToString("x", CultureInfo.InvariantCulture)));

    private static string Describe(JobError e) => $"ERROR {e.Kind} | {e.Message} | item {e.ItemIndex} | offset {e.ByteOffset} | {e.Path}";

    internal static async Task<string> GeneralAsync(byte[] body, int buffer, int chunk) => await ReadRowsAsync(body, buffer, chunk, fastPath: false);

    internal static async Task<string> FastAsync(byte[] body, int buffer, int chunk) => await ReadRowsAsync(body, buffer, chunk, fastPath: true);

    private static async Task<string> ReadRowsAsync(byte[] body, int buffer, int chunk, bool fastPath)
    {
        var channel = Channel.CreateUnbounded<TransactionBatch>();
        var reader = new TransactionJsonReader(new TrickleStream(body, chunk), buffer, 1024 * 1024, 7, fastPath, keepDescriptions: true);
        try
        {
            await reader.ReadAsync(channel.Writer, CancellationToken.None);
        }
        catch (InvalidInputException ex)
        {
            return Describe(ex.Error);
        }

        channel.Writer.Complete();
        var totals = new DailyTotals();
        var descriptions = new StringBuilder();
        await foreach (var batch in channel.Reader.ReadAllAsync())
        {
            foreach (var row in batch.Items.ToArray())
            {
                totals.Add(row);
            }
        }

        return Describe(totals, reader.ItemsRead) + $" bytes {reader.BytesRead}";
    }

    internal static async Task<string> AggregateAsync(byte[] body, int buffer, int chunk, int piece) =>
        await SumAsync(new TransactionJsonReader(new TrickleStream(body, chunk), buffer, 1024 * 1024, 7, keepDescriptions: false, parallelPieceBytes: piece));

    /// <summary>The aggregate-only read of the body from a file, through its memory map in views of <paramref name="buffer"/> bytes.</summary>
    internal static async Task<string> MappedAggregateAsync(byte[] body, int buffer, int piece)
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(path, body);
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read);
            return await SumAsync(new TransactionJsonReader(file, buffer, 1024 * 1024, 7, keepDescriptions: false, parallelPieceBytes: piece, mapFiles: true));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The totals, item count and bytes an aggregate-only read gives, or its error.</summary>
    private static async Task<string> SumAsync(TransactionJsonReader reader)
    {
        var totals = new DailyTotals();
        try
        {
            await reader.AggregateAsync(totals, _ => ValueTask.CompletedTask, CancellationToken.None);
        }
        catch (InvalidInputException ex)
        {
            return Describe(ex.Error);
        }

        return Describe(totals, reader.ItemsRead) + $" bytes {reader.BytesRead}";
    }

    [Fact]
    public async Task Fuzz_BrokenStream_SameError()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("FUZZ_SEED"), out var s) ? s : 5;
        var iterations = int.TryParse(Environment.GetEnvironmentVariable("FUZZ_ITERATIONS"), out var n) ? n : 2000;
        var random = new Random(seed);
        var failures = new List<string>();
        for (var iteration = 0; iteration < iterations && failures.Count < 5; iteration++)
        {
            var body = Encoding.UTF8.GetBytes(RandomBody(random));
            var failAfter = random.Next(2) == 0 ? int.MaxValue : random.Next(body.Length + 1);
            var generalBuffer = random.Next(64, 4096);
            var aggregateBuffer = generalBuffer; // other sizes differ only in invalid-literal messages (see AggregateReviewTests)
            var general = await WithStream(() => new BrokenStream(body, failAfter), generalBuffer, fastPath: false, piece: 0);
            var aggregate = await WithStream(() => new BrokenStream(body, failAfter), aggregateBuffer, fastPath: true, piece: random.Next(16, 512));
            if (general != aggregate)
            {
                failures.Add($"{iteration} failAfter {failAfter}\n{Encoding.UTF8.GetString(body)}\n general {general}\n aggregate {aggregate}");
            }
        }

        foreach (var failure in failures)
        {
            output.WriteLine(failure);
        }

        failures.Should().BeEmpty();
    }

    private static async Task<string> WithStream(Func<Stream> stream, int buffer, bool fastPath, int piece)
    {
        var totals = new DailyTotals();
        var reader = fastPath
            ? new TransactionJsonReader(stream(), buffer, 1024 * 1024, 7, keepDescriptions: false, parallelPieceBytes: piece)
            : new TransactionJsonReader(stream(), buffer, 1024 * 1024, 7, fastPath: false);
        try
        {
            if (fastPath)
            {
                await reader.AggregateAsync(totals, _ => ValueTask.CompletedTask, CancellationToken.None);
            }
            else
            {
                var channel = Channel.CreateUnbounded<TransactionBatch>();
                await reader.ReadAsync(channel.Writer, CancellationToken.None);
                channel.Writer.Complete();
                await foreach (var batch in channel.Reader.ReadAllAsync())
                {
                    totals.Add(batch.Items.Span);
                }
            }
        }
        catch (InvalidInputException ex)
        {
            return Describe(ex.Error);
        }

        return Describe(totals, reader.ItemsRead) + $" bytes {reader.BytesRead}";
    }

    /// <summary>Each item alone, fast scanner against the general reader: descriptions compared too.</summary>
    [Fact]
    public async Task Fuzz_SingleOddItems_FastRowsEqualGeneralRows()
    {
        var random = new Random(777);
        var failures = new List<string>();
        for (var iteration = 0; iteration < 4000 && failures.Count < 10; iteration++)
        {
            var item = random.Next(3) == 0 ? GoodItem(random) : OddItem(random);
            var body = Encoding.UTF8.GetBytes(TestData.Body(TestData.Item("1", "2024-01-01", true), item));
            var general = await RowsAsync(body, false);
            var fast = await RowsAsync(body, true);
            if (general != fast)
            {
                failures.Add($"{item}\n general: {general}\n fast:    {fast}");
            }
        }

        foreach (var failure in failures)
        {
            output.WriteLine(failure);
        }

        failures.Should().BeEmpty();
    }

    /// <summary>Good items with a few random byte edits: the scanners must take an item only as the general path reads it.</summary>
    [Fact]
    public async Task Fuzz_MutatedItems_FastEqualsGeneral()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("FUZZ_SEED"), out var s) ? s : 99;
        var iterations = int.TryParse(Environment.GetEnvironmentVariable("FUZZ_ITERATIONS"), out var n) ? n : 20000;
        var random = new Random(seed);
        var failures = new List<string>();
        for (var iteration = 0; iteration < iterations && failures.Count < 10; iteration++)
        {
            var item = Encoding.UTF8.GetBytes("," + (random.Next(2) == 0 ? GoodItem(random) : OddItem(random)));
            Mutate(random, ref item);
            var body = Encoding.UTF8.GetBytes("{\"data\":[" + TestData.Item("1", "2024-01-01", true)).Concat(item).Concat(Encoding.UTF8.GetBytes("]}")).ToArray();
            foreach (var keep in new[] { true, false })
            {
                var general = await RowsAsync(body, false, keep);
                var fast = await RowsAsync(body, true, keep);
                if (general != fast)
                {
                    failures.Add($"keep {keep} {Convert.ToHexString(item)} {Encoding.UTF8.GetString(item)}\n general: {general}\n fast:    {fast}");
                }
            }
        }

        foreach (var failure in failures)
        {
            output.WriteLine(failure);
        }

        failures.Should().BeEmpty();
    }

    private static async Task<string> RowsAsync(byte[] body, bool fastPath, bool keep = true)
    {
        var channel = Channel.CreateUnbounded<TransactionBatch>();
        var reader = new TransactionJsonReader(new MemoryStream(body), 4096, 1024 * 1024, 7, fastPath, keepDescriptions: keep);
        try
        {
            await reader.ReadAsync(channel.Writer, CancellationToken.None);
        }
        catch (InvalidInputException ex)
        {
            return Describe(ex.Error);
        }

        channel.Writer.Complete();
        var sb = new StringBuilder();
        await foreach (var batch in channel.Reader.ReadAllAsync())
        {
            foreach (var row in batch.Items.ToArray())
            {
                sb.Append(CultureInfo.InvariantCulture, $"[{Bits(row.Amount)} {row.Date:yyyy-MM-dd} {row.IsRevenue} {(keep ? Convert.ToHexString(Encoding.Unicode.GetBytes(row.Description)) : "-")}]");
            }
        }

        return sb.ToString();
    }

    [Fact]
    public void TryParseDate_RejectsEveryOtherByteInEveryPosition()
    {
        // Each byte of valid dates replaced by each of the 256 values: only a digit where a digit goes (and a date the
        // calendar has) parses, whatever the byte's bits.
        var bad = new List<string>();
        foreach (var valid in new[] { "2024-02-29", "0001-01-01", "9999-12-31", "1999-09-09" })
        {
            for (var position = 0; position < valid.Length; position++)
            {
                for (var value = 0; value < 256; value++)
                {
                    var text = Encoding.ASCII.GetBytes(valid);
                    text[position] = (byte)value;
                    var ok = TransactionJsonReader.TryParseDate(text, out var date);
                    var expected = ReferenceDate(text);
                    if (ok != expected.HasValue || (ok && date != expected))
                    {
                        bad.Add($"{valid} with byte {position} = 0x{value:X2}: {(ok ? date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "rejected")}");
                    }
                }
            }
        }

        bad.Should().BeEmpty();
    }

    private static DateOnly? ReferenceDate(byte[] text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (i is 4 or 7 ? text[i] != '-' : text[i] is < (byte)'0' or > (byte)'9')
            {
                return null;
            }
        }

        int Number(int from, int count) => int.Parse(Encoding.ASCII.GetString(text, from, count), CultureInfo.InvariantCulture);
        var (year, month, day) = (Number(0, 4), Number(5, 2), Number(8, 2));
        return year >= 1 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month) ? new DateOnly(year, month, day) : null;
    }

    [Fact]
    public void TryParseDate_SameAsCalendar()
    {
        var bad = new List<string>();
        for (var y = 0; y <= 9999; y++)
        {
            for (var m = 0; m <= 13; m++)
            {
                for (var d = 0; d <= 32; d++)
                {
                    var text = $"{y:0000}-{m:00}-{d:00}";
                    var ok = TransactionJsonReader.TryParseDate(Encoding.ASCII.GetBytes(text), out var date);
                    var expectedOk = y >= 1 && m is >= 1 and <= 12 && d >= 1 && d <= DateTime.DaysInMonth(y, m);
                    if (ok != expectedOk || (ok && date != new DateOnly(y, m, d)))
                    {
                        bad.Add(text);
                    }
                }
            }
        }

        bad.Should().BeEmpty();
    }
}
