using System.Buffers.Text;

namespace QuickStart;

/// <summary>Writes a deterministic data set in the seed's shape, with the configs after the data array.</summary>
internal static class DataGenerator
{
    private static readonly byte[][] Descriptions =
    [
        "Invoice payment"u8.ToArray(), "Card sale"u8.ToArray(), "Supplier payment"u8.ToArray(),
        "Payroll"u8.ToArray(), "Subscription revenue"u8.ToArray(), "Office rent"u8.ToArray(),
        "Refund \\\"partial\\\""u8.ToArray(), "Caf\u00e9 catering"u8.ToArray(),
    ];

    public static async Task<(long Bytes, long Items)> WriteAsync(string path, long targetBytes, int days, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, useAsync: true);
        var buffer = new byte[1 << 20];
        var used = 0;
        long written = 0;
        long items = 0;
        var random = 0x2545F4914F6CDD1DUL;
        var lastDay = new DateOnly(2024, 12, 31);

        Append("{\"data\":["u8);
        while (written + used < targetBytes)
        {
            random ^= random << 13;
            random ^= random >> 7;
            random ^= random << 17;
            // Weekends are quieter and each weekday has its own revenue share, so scores and risk levels vary by date.
            var daysBack = (int)((random >> 8) % (ulong)days);
            var date = lastDay.AddDays(-daysBack);
            if (date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday && (random >> 40) % 4 != 0)
            {
                continue;
            }

            var isRevenue = (int)((random >> 3) % 10) < 2 + ((int)date.DayOfWeek * 1);
            var cents = (long)(random >> 20) % (isRevenue ? 500_000 : 200_000) + 100;

            if (items > 0)
            {
                Append(","u8);
            }

            Append("{\"amount\":"u8);
            Number(cents / 100);
            Append("."u8);
            Number2(cents % 100);
            Append(",\"date\":\""u8);
            Number(date.Year);
            Append("-"u8);
            Number2(date.Month);
            Append("-"u8);
            Number2(date.Day);
            Append(isRevenue ? "\",\"is_revenue\":true,\"description\":\""u8 : "\",\"is_revenue\":false,\"description\":\""u8);
            Append(Descriptions[(int)(random % (ulong)Descriptions.Length)]);
            Append(" #"u8);
            Number(items);
            Append("\"}"u8);
            items++;
            if (used > buffer.Length - 512)
            {
                await FlushAsync().ConfigureAwait(false);
            }
        }

        Append("""
            ],"credit_model_config":{"model_version":"v2.1","risk_threshold":0.7,"credit_score_weights":{"transaction_volume":0.4,"revenue_ratio":0.3,"consistency":0.3}},"aggregate_config":{"group_by":"date","include_metrics":["total_amount","revenue_amount","transaction_count"],"date_range":"last_30_days"}}
            """u8);
        await FlushAsync().ConfigureAwait(false);
        return (written, items);

        void Append(ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(buffer.AsSpan(used));
            used += bytes.Length;
        }

        void Number(long value)
        {
            Utf8Formatter.TryFormat(value, buffer.AsSpan(used), out var n);
            used += n;
        }

        void Number2(long value)
        {
            buffer[used++] = (byte)('0' + (value / 10));
            buffer[used++] = (byte)('0' + (value % 10));
        }

        async Task FlushAsync()
        {
            await file.WriteAsync(buffer.AsMemory(0, used), cancellationToken).ConfigureAwait(false);
            written += used;
            used = 0;
        }
    }

    public static long ParseSize(string text)
    {
        var units = new (string Suffix, long Factor)[] { ("GB", 1L << 30), ("MB", 1L << 20), ("KB", 1L << 10), ("B", 1) };
        foreach (var (suffix, factor) in units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(text[..^suffix.Length], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value))
            {
                return (long)(value * factor);
            }
        }

        return long.TryParse(text, out var bytes) ? bytes : throw new FormatException($"'{text}' is not a size such as 500MB or 1GB.");
    }

    public static string FormatBytes(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.00} GB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.0} MB",
        >= 1L << 10 => $"{bytes / 1024.0:0.0} KB",
        _ => $"{bytes} B",
    };
}
