using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace TransactionPipeline.Import.Json;

/// <summary>The general path's units: the root object's members and one item of <c>data</c>, with each value's rules and error wording.</summary>
internal sealed partial class TransactionJsonReader
{
    private bool ReadRootStart(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            return false;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw InvalidInputException.At(
                $"The body must be a JSON object with a \"data\" array, but it starts with a {Describe(reader.TokenType)}",
                null,
                _bufferOffset + reader.TokenStartIndex,
                "$");
        }

        _phase = Phase.InRoot;
        return true;
    }

    private bool ReadRootMember(ref Utf8JsonReader reader, ReadOnlySpan<byte> data)
    {
        if (!reader.Read())
        {
            return false;
        }

        if (reader.TokenType == JsonTokenType.EndObject)
        {
            _phase = Phase.AfterRoot;
            return true;
        }

        // Only a property name can follow here; the reader itself rejects anything else.
        var nameOffset = _bufferOffset + reader.TokenStartIndex;
        if (reader.ValueTextEquals("data"u8))
        {
            if (!reader.Read())
            {
                return false;
            }

            if (_sawData)
            {
                throw InvalidInputException.At("The body has more than one \"data\" property", null, nameOffset, "$.data");
            }

            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw InvalidInputException.At(
                    $"\"data\" must be an array of transactions, but it is a {Describe(reader.TokenType)}",
                    null,
                    _bufferOffset + reader.TokenStartIndex,
                    "$.data");
            }

            _sawData = true;
            _phase = Phase.InData;
            return true;
        }

        var isCredit = reader.ValueTextEquals("credit_model_config"u8);
        var isAggregate = !isCredit && reader.ValueTextEquals("aggregate_config"u8);
        var nameBytes = reader.ValueSpan;
        if (!reader.Read())
        {
            return false;
        }

        var valueOffset = _bufferOffset + reader.TokenStartIndex;
        var valueStart = (int)reader.TokenStartIndex;
        if (!reader.TrySkip())
        {
            return false;
        }

        if (!isCredit && !isAggregate)
        {
            // Ignored, but still JSON text: every byte of it must be UTF-8.
            EnsureUtf8(nameBytes, nameOffset + 1, inItem: false); // past the opening quote
            EnsureUtf8(data[valueStart..(int)reader.BytesConsumed], valueOffset, inItem: false);
        }

        if (isCredit || isAggregate)
        {
            var name = isCredit ? "credit_model_config" : "aggregate_config";
            if (isCredit ? _creditModel is not null : _aggregate is not null)
            {
                throw InvalidInputException.At($"The body has more than one \"{name}\" property", null, nameOffset, "$." + name);
            }

            // After TrySkip a container's reader sits on its closing token, so the raw value ends at BytesConsumed.
            var raw = data[valueStart..(int)reader.BytesConsumed];
            if (isCredit)
            {
                _creditModel = ConfigurationParser.ParseCreditModel(raw, valueOffset);
            }
            else
            {
                _aggregate = ConfigurationParser.ParseAggregate(raw, valueOffset);
            }
        }

        return true;
    }

    private bool ReadDataMember(ref Utf8JsonReader reader, ReadOnlySpan<byte> data, TransactionBatch batch)
    {
        if (!reader.Read())
        {
            return false;
        }

        if (reader.TokenType == JsonTokenType.EndArray)
        {
            _phase = Phase.InRoot;
            _afterItem = false;
            return true;
        }

        var itemOffset = _bufferOffset + reader.TokenStartIndex;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw InvalidInputException.At(
                $"Each item of \"data\" must be an object, but this one is a {Describe(reader.TokenType)}",
                _itemIndex,
                itemOffset,
                $"$.data[{_itemIndex}]");
        }

        decimal amount = 0;
        DateOnly date = default;
        var isRevenue = false;
        string? description = null;
        var seen = ItemField.None;
        while (true)
        {
            if (!reader.Read())
            {
                return false;
            }

            if (reader.TokenType == JsonTokenType.EndObject)
            {
                break;
            }

            var field = reader.ValueTextEquals("amount"u8) ? ItemField.Amount
                : reader.ValueTextEquals("date"u8) ? ItemField.Date
                : reader.ValueTextEquals("is_revenue"u8) ? ItemField.IsRevenue
                : reader.ValueTextEquals("description"u8) ? ItemField.Description
                : ItemField.None;
            var nameOffset = _bufferOffset + reader.TokenStartIndex;
            var name = reader.ValueSpan;
            if (!reader.Read())
            {
                return false;
            }

            if (field == ItemField.None)
            {
                // Unknown properties are ignored, whatever their shape, but they are JSON text: every byte must be UTF-8.
                var valueStart = (int)reader.TokenStartIndex;
                if (!reader.TrySkip())
                {
                    return false;
                }

                EnsureUtf8(name, nameOffset + 1, inItem: true); // past the opening quote
                EnsureUtf8(data[valueStart..(int)reader.BytesConsumed], _bufferOffset + valueStart, inItem: true);
                continue;
            }

            if ((seen & field) != 0)
            {
                throw ItemError($"The property \"{Name(field)}\" appears twice", nameOffset, field);
            }

            seen |= field;
            switch (field)
            {
                case ItemField.Amount:
                    amount = ReadAmount(ref reader);
                    break;
                case ItemField.Date:
                    date = ReadDate(ref reader);
                    break;
                case ItemField.IsRevenue:
                    isRevenue = reader.TokenType switch
                    {
                        JsonTokenType.True => true,
                        JsonTokenType.False => false,
                        _ => throw WrongType(ref reader, field, "a boolean (true or false)"),
                    };
                    break;
                default:
                    description = ReadDescription(ref reader);
                    break;
            }
        }

        if (seen != ItemField.All)
        {
            var missing = ItemField.All & ~seen;
            var first = (ItemField)((int)missing & -(int)missing);
            throw ItemError($"The transaction has no \"{Name(first)}\" property", itemOffset, first);
        }

        batch.Add(new TransactionRecord(amount, date, isRevenue, description!));
        _itemIndex++;
        _afterItem = true;
        return true;
    }

    private decimal ReadAmount(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            throw WrongType(ref reader, ItemField.Amount, "a JSON number");
        }

        if (!reader.TryGetDecimal(out var amount))
        {
            throw ItemError($"\"amount\" {Raw(ref reader)} is out of range: at most {MaxAmountIntegerDigits} digits before the decimal point", _bufferOffset + reader.TokenStartIndex, ItemField.Amount);
        }

        // Judged on the number as written: the decimal above is rounded to 29 significant digits.
        ReadOnlySpan<byte> text = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan;
        JsonNumberDigits.Count(text, out var integerDigits, out var fractionDigits);
        if (integerDigits > MaxAmountIntegerDigits)
        {
            throw ItemError($"\"amount\" {Raw(ref reader)} has more than {MaxAmountIntegerDigits} digits before the decimal point (15 digits in all, 2 after the point)", _bufferOffset + reader.TokenStartIndex, ItemField.Amount);
        }

        if (fractionDigits > TransactionLimits.MaxAmountDecimals)
        {
            throw ItemError($"\"amount\" {Raw(ref reader)} has more than 2 decimal places", _bufferOffset + reader.TokenStartIndex, ItemField.Amount);
        }

        return amount.Scale > 2 ? decimal.Round(amount, 2) : amount;
    }

    private DateOnly ReadDate(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw WrongType(ref reader, ItemField.Date, "a string in the form YYYY-MM-DD");
        }

        if (reader.ValueIsEscaped)
        {
            Span<byte> copy = stackalloc byte[32];
            if (reader.ValueSpan.Length <= copy.Length && TryParseDate(copy[..reader.CopyString(copy)], out var unescaped))
            {
                return unescaped;
            }
        }
        else if (TryParseDate(reader.ValueSpan, out var date))
        {
            return date;
        }

        throw ItemError($"\"date\" {Raw(ref reader)} is not a valid date in the form YYYY-MM-DD", _bufferOffset + reader.TokenStartIndex, ItemField.Date);
    }

    /// <summary>Parses a calendar date written <c>YYYY-MM-DD</c>, exactly ten bytes.</summary>
    /// <remarks>
    /// The first eight bytes are checked at once as one 64-bit word: each byte less its expected character (<c>'0'</c>
    /// for a digit, <c>'-'</c> for a dash) must be at most 9 for a digit and 0 for a dash, which adding 0x76 or 0x7F
    /// turns into "no high bit set" (a byte below its character wraps and sets it too).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool TryParseDate(ReadOnlySpan<byte> text, out DateOnly date)
    {
        date = default;
        if (text.Length != 10)
        {
            return false;
        }

        var word = BinaryPrimitives.ReadUInt64LittleEndian(text) - 0x2D30_302D_3030_3030UL;
        if (((word | (word + 0x7F76_767F_7676_7676UL)) & 0x8080_8080_8080_8080UL) != 0)
        {
            return false;
        }

        uint d0 = (uint)(text[8] - '0'), d1 = (uint)(text[9] - '0');
        if (d0 > 9 || d1 > 9)
        {
            return false;
        }

        var year = (int)((word & 0xFF) * 1000 + ((word >> 8) & 0xFF) * 100 + ((word >> 16) & 0xFF) * 10 + ((word >> 24) & 0xFF));
        var month = (int)(((word >> 40) & 0xFF) * 10 + ((word >> 48) & 0xFF));
        var day = (int)((d0 * 10) + d1);
        if (year < 1 || month is < 1 or > 12 || day < 1)
        {
            return false;
        }

        var index = ((year - MonthTableFirstYear) * 12) + month - 1;
        if ((uint)index < (uint)MonthTable.Length)
        {
            // Dates of the common years: the month's first day and length from the table, no calendar arithmetic.
            var entry = MonthTable[index];
            if (day > (entry & 31))
            {
                return false;
            }

            date = DateOnly.FromDayNumber((entry >> 5) + day - 1);
            return true;
        }

        var leap = (year & 3) == 0 && ((year % 100) != 0 || (year % 400) == 0);
        var daysToMonth = leap ? DaysToMonthLeap : DaysToMonth;
        var dayOfYear = daysToMonth[month - 1] + day - 1;
        if (dayOfYear >= daysToMonth[month])
        {
            return false;
        }

        var yearsBefore = year - 1;
        date = DateOnly.FromDayNumber((yearsBefore * 365) + (yearsBefore / 4) - (yearsBefore / 100) + (yearsBefore / 400) + dayOfYear);
        return true;
    }

    /// <summary>The first year of <see cref="MonthTable"/>.</summary>
    private const int MonthTableFirstYear = 1900;

    /// <summary>For each month of 1900 to 2155: its first day's number, shifted left by 5, and its length in the low 5 bits.</summary>
    private static readonly int[] MonthTable = BuildMonthTable(256);

    private static int[] BuildMonthTable(int years)
    {
        var table = new int[years * 12];
        for (var i = 0; i < table.Length; i++)
        {
            var (year, month) = (MonthTableFirstYear + (i / 12), (i % 12) + 1);
            table[i] = (new DateOnly(year, month, 1).DayNumber << 5) | DateTime.DaysInMonth(year, month);
        }

        return table;
    }

    private static ReadOnlySpan<int> DaysToMonth => [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];

    private static ReadOnlySpan<int> DaysToMonthLeap => [0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366];

    private string ReadDescription(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw WrongType(ref reader, ItemField.Description, "a string");
        }

        var text = reader.GetString()!;
        if (text.Length > MaxDescriptionLength && CountCharacters(text) > MaxDescriptionLength)
        {
            throw ItemError($"\"description\" has {CountCharacters(text)} characters; at most {MaxDescriptionLength} are allowed", _bufferOffset + reader.TokenStartIndex, ItemField.Description);
        }

        return text;
    }

    private static int CountCharacters(string text)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            count++;
        }

        return count;
    }

    /// <summary>Refuses bytes that are not UTF-8, naming the offset of the first bad one.</summary>
    private void EnsureUtf8(ReadOnlySpan<byte> raw, long offset, bool inItem)
    {
        if (Utf8.IsValid(raw))
        {
            return;
        }

        var at = 0;
        while (Rune.DecodeFromUtf8(raw[at..], out _, out var used) == OperationStatus.Done)
        {
            at += used;
        }

        throw InvalidInputException.At(
            $"The body is not valid UTF-8: byte 0x{raw[at]:X2} starts no valid character",
            inItem ? _itemIndex : null,
            offset + at,
            inItem ? $"$.data[{_itemIndex}]" : "$");
    }

    private InvalidInputException WrongType(ref Utf8JsonReader reader, ItemField field, string expected) =>
        ItemError($"\"{Name(field)}\" must be {expected}, but it is {Article(reader.TokenType)} {Raw(ref reader)}", _bufferOffset + reader.TokenStartIndex, field);

    private InvalidInputException ItemError(string message, long offset, ItemField field) =>
        InvalidInputException.At(message, _itemIndex, offset, $"$.data[{_itemIndex}].{Name(field)}");

    private static string Raw(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            return reader.TokenType == JsonTokenType.StartObject ? "{...}" : "[...]";
        }

        var span = reader.ValueSpan;
        var text = Encoding.UTF8.GetString(span.Length > 40 ? span[..40] : span);
        var shown = span.Length > 40 ? text + "..." : text;
        return reader.TokenType == JsonTokenType.String ? $"\"{shown}\"" : shown;
    }

    private static string Article(JsonTokenType type) => type switch
    {
        JsonTokenType.String => "the string",
        JsonTokenType.Number => "the number",
        JsonTokenType.True or JsonTokenType.False => "the boolean",
        JsonTokenType.Null => "the value",
        JsonTokenType.StartObject => "an object",
        _ => "an array",
    };

    private static string Describe(JsonTokenType type) => type switch
    {
        JsonTokenType.StartObject => "object",
        JsonTokenType.StartArray => "array",
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True or JsonTokenType.False => "boolean",
        JsonTokenType.Null => "null",
        _ => type.ToString().ToLower(CultureInfo.InvariantCulture),
    };

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        message = (cut > 0 ? message[..cut] : message).TrimEnd();

        // Utf8JsonReader quotes the rest of its buffer after a bad literal ("'tru, ...' is an invalid JSON literal"):
        // keep the start, so the message does not depend on how much was read, nor carry megabytes of the body.
        const int Quoted = 40;
        var close = message.StartsWith('\'') ? message.IndexOf("' is ", StringComparison.Ordinal) : -1;
        return close > Quoted + 1 ? $"{message[..(Quoted + 1)]}...{message[close..]}" : message;
    }

    private static string Name(ItemField field) => field switch
    {
        ItemField.Amount => "amount",
        ItemField.Date => "date",
        ItemField.IsRevenue => "is_revenue",
        _ => "description",
    };
}
