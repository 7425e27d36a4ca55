using System.Globalization;
using System.Text;

namespace TransactionPipeline.Benchmarks.Fuzz;

/// <summary>Random bodies in the seed's shape, valid and not, then byte-level mutations of some of them.</summary>
internal static class BodyGenerator
{
    private static readonly string[] Amounts =
    [
        "0", "-0", "1", "12.5", "100.10", "1.230", "9999999999999.99", "-9999999999999.99", "10000000000000", "1.001",
        "1.000000000000000000000000000001", "1e-30", "1e2", "1.5e1", "15e-1", "1.25E+2", "0e999999", "1e13", "9.99e12",
        "0.10000000000000000000000000000000000000000000", "123456789.12", "-0.05", "0.005", "1e400", "-1e-400", "00", "01",
        "1.", ".5", "+1", "\"12.50\"", "true", "null", "[1]", "1.5e", "--1", "0x10", "1_000",
    ];

    private static readonly string[] Dates =
    [
        "\"2024-01-15\"", "\"2024-02-29\"", "\"2023-02-29\"", "\"2024-13-01\"", "\"2024-00-10\"", "\"2024-04-31\"", "\"0001-01-01\"",
        "\"9999-12-31\"", "\"2024-1-05\"", "\"2024\\u002d01\\u002d20\"", "\"20240115\"", "\"2024-01-15T00:00:00\"", "20240115", "null",
        "\" 2024-01-15\"",
    ];

    private static readonly string[] Booleans = ["true", "false", "\"true\"", "1", "0", "null", "True"];

    private static readonly string[] Descriptions =
    [
        "\"Revenue transaction\"", "\"\"", "\"Caf\u00e9 \u2615\"", "\"tab\\tnew\\nline \\\"quoted\\\" \\\\ slash\"", "\"\\u00e9\\u2615\"",
        "\"\\ud83d\\ude00 emoji\"", "\"\\ud800 lone\"", "\"\\udc00 lone\"", "123", "null", "[\"a\"]",
    ];

    private static readonly string[] Unknown =
    [
        "\"note\": \"x\"", "\"meta\": {\"k\": [1, 2, {\"z\": null}]}", "\"n\": 1e5", "\"flag\": false", "\"\u00fcber\": \"\u00e9\"", "\"\": \"\"",
    ];

    public static byte[] Next(Random random)
    {
        var body = new StringBuilder();
        body.Append(Space(random)).Append('{').Append(Space(random));
        if (random.Next(8) == 0)
        {
            body.Append("\"extra\":").Append(Space(random)).Append(random.Next(2) == 0 ? "{\"a\": [1, \"b\"]}" : "\"\u00e9\"").Append(',');
        }

        body.Append("\"data\"").Append(Space(random)).Append(':').Append(Space(random)).Append('[');
        var count = random.Next(0, 12);
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                body.Append(',').Append(Space(random));
            }

            body.Append(Item(random));
        }

        body.Append(']').Append(Space(random)).Append('}').Append(Space(random));
        var bytes = Encoding.UTF8.GetBytes(body.ToString());
        return random.Next(3) == 0 ? Mutate(random, bytes) : bytes;
    }

    private static string Item(Random random)
    {
        // Mostly good items in the common shape, so the fast path is exercised, with odd ones mixed in.
        var odd = random.Next(4) == 0;
        var fields = new List<string>
        {
            "\"amount\": " + (odd && random.Next(2) == 0 ? Pick(random, Amounts) : GoodAmount(random)),
            "\"date\": " + (odd && random.Next(2) == 0 ? Pick(random, Dates) : string.Create(CultureInfo.InvariantCulture, $"\"2024-{random.Next(1, 13):00}-{random.Next(1, 29):00}\"")),
            "\"is_revenue\": " + (odd && random.Next(3) == 0 ? Pick(random, Booleans) : random.Next(2) == 0 ? "true" : "false"),
            "\"description\": " + (odd && random.Next(2) == 0 ? OddDescription(random) : "\"item " + random.Next(1_000) + "\""),
        };
        if (odd)
        {
            switch (random.Next(5))
            {
                case 0:
                    fields.RemoveAt(random.Next(fields.Count));
                    break;
                case 1:
                    fields.Add(fields[random.Next(fields.Count)]);
                    break;
                case 2:
                    fields.Insert(random.Next(fields.Count + 1), Pick(random, Unknown));
                    break;
                default:
                    fields = [.. fields.OrderBy(_ => random.Next())];
                    break;
            }
        }

        return "{" + string.Join("," + Space(random), fields) + "}";
    }

    private static string GoodAmount(Random random) => random.Next(4) switch
    {
        0 => string.Create(CultureInfo.InvariantCulture, $"{random.Next(-500, 5_000)}"),
        1 => string.Create(CultureInfo.InvariantCulture, $"{random.Next(0, 100_000)}.{random.Next(0, 100):00}"),
        2 => string.Create(CultureInfo.InvariantCulture, $"-{random.Next(0, 1_000)}.{random.Next(0, 10)}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{random.Next(0, 10_000)}.{random.Next(0, 100):00}0"),
    };

    private static string OddDescription(Random random) => random.Next(3) switch
    {
        0 => Pick(random, Descriptions),
        1 => "\"" + new string('x', random.Next(250, 260)) + "\"",
        _ => "\"" + string.Concat(Enumerable.Repeat("\u00e9", random.Next(250, 260))) + "\"",
    };

    private static string Space(Random random) => random.Next(5) switch
    {
        0 => " ",
        1 => "\n  ",
        2 => "\t",
        _ => string.Empty,
    };

    private static string Pick(Random random, string[] values) => values[random.Next(values.Length)];

    /// <summary>Flips, inserts or deletes a few bytes, some of them bytes that are never UTF-8.</summary>
    private static byte[] Mutate(Random random, byte[] body)
    {
        var bytes = new List<byte>(body);
        var edits = random.Next(1, 4);
        for (var e = 0; e < edits && bytes.Count > 0; e++)
        {
            var at = random.Next(bytes.Count);
            byte[] noise = [0xFF, 0xC3, 0x80, 0xE2, 0xED, 0xF4, (byte)'"', (byte)',', (byte)'}', (byte)']', (byte)'\\', (byte)'0', (byte)'e', (byte)'.'];
            switch (random.Next(3))
            {
                case 0:
                    bytes[at] = noise[random.Next(noise.Length)];
                    break;
                case 1:
                    bytes.Insert(at, noise[random.Next(noise.Length)]);
                    break;
                default:
                    bytes.RemoveAt(at);
                    break;
            }
        }

        return [.. bytes];
    }
}
