using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;

namespace TransactionPipeline.Benchmarks.Fuzz;

/// <summary>
/// What the contract says a body means, decided without the pipeline's reader: strict UTF-8 decoding, then
/// <see cref="JsonDocument"/>, then the item rules of the contract written out plainly. Used to judge the reader.
/// </summary>
internal static class ReferenceDecoder
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The rows of a valid body, or <see langword="null"/> with the reason it is invalid.</summary>
    public static (List<TransactionRecord>? Rows, string? Reason) Decode(byte[] body)
    {
        try
        {
            _ = Strict.GetString(body);
        }
        catch (DecoderFallbackException)
        {
            return (null, "not UTF-8");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            return (null, "not JSON: " + ex.Message);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, "root is no object");
            }

            JsonElement? data = null;
            foreach (var property in root.EnumerateObject())
            {
                if (property.NameEquals("data"))
                {
                    if (data is not null)
                    {
                        return (null, "two data");
                    }

                    data = property.Value;
                }
                else if (property.NameEquals("credit_model_config") || property.NameEquals("aggregate_config"))
                {
                    return (null, "configs are not generated");
                }
            }

            if (data is not { ValueKind: JsonValueKind.Array } items)
            {
                return (null, "no data array");
            }

            var rows = new List<TransactionRecord>();
            foreach (var item in items.EnumerateArray())
            {
                var (row, reason) = Item(item);
                if (reason is not null)
                {
                    return (null, $"item {rows.Count}: {reason}");
                }

                rows.Add(row);
            }

            return (rows, null);
        }
    }

    private static (TransactionRecord Row, string? Reason) Item(JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            return (default, "not an object");
        }

        decimal? amount = null;
        DateOnly? date = null;
        bool? isRevenue = null;
        string? description = null;
        foreach (var property in item.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "amount" when amount is not null:
                case "date" when date is not null:
                case "is_revenue" when isRevenue is not null:
                case "description" when description is not null:
                    return (default, "duplicate " + property.Name);
                case "amount":
                    if (value.ValueKind != JsonValueKind.Number || Amount(value.GetRawText()) is not { } parsed)
                    {
                        return (default, "bad amount");
                    }

                    amount = parsed;
                    break;
                case "date":
                    if (value.ValueKind != JsonValueKind.String
                        || !DateOnly.TryParseExact(Text(value), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
                    {
                        return (default, "bad date");
                    }

                    date = day;
                    break;
                case "is_revenue":
                    if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                    {
                        return (default, "bad is_revenue");
                    }

                    isRevenue = value.ValueKind == JsonValueKind.True;
                    break;
                case "description":
                    if (value.ValueKind != JsonValueKind.String || Text(value) is not { } text || text.EnumerateRunes().Count() > TransactionLimits.MaxDescriptionLength)
                    {
                        return (default, "bad description");
                    }

                    description = text;
                    break;
            }
        }

        return amount is null || date is null || isRevenue is null || description is null
            ? (default, "missing field")
            : (new TransactionRecord(amount.Value, date.Value, isRevenue.Value, description), null);
    }

    private static string? Text(JsonElement value)
    {
        try
        {
            var text = value.GetString()!;
            // A lone surrogate escape (\ud800) is no Unicode text.
            return HasLoneSurrogate(text) ? null : text;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static bool HasLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The exact value of a JSON number if it fits DecimalField(15, 2): at most 13 integer digits, 2 decimals.</summary>
    private static decimal? Amount(string raw)
    {
        var negative = raw.StartsWith('-');
        var text = negative ? raw[1..] : raw;
        var exponentAt = text.IndexOfAny(['e', 'E']);
        var exponent = exponentAt < 0 ? BigInteger.Zero : BigInteger.Parse(text[(exponentAt + 1)..], CultureInfo.InvariantCulture);
        var mantissa = exponentAt < 0 ? text : text[..exponentAt];
        var dot = mantissa.IndexOf('.');
        var digits = (dot < 0 ? mantissa : mantissa.Remove(dot, 1)).TrimStart('0');
        var scale = dot < 0 ? BigInteger.Zero : new BigInteger(mantissa.Length - dot - 1);
        if (digits.Length == 0)
        {
            return 0m;
        }

        // value = digits * 10^(exponent - scale); drop trailing zeros of digits into the power.
        var trimmed = digits.TrimEnd('0');
        var power = exponent - scale + (digits.Length - trimmed.Length);
        if (power < -2)
        {
            return null;
        }

        // Integer digits: the digits before the decimal point of trimmed * 10^power.
        var integerDigits = trimmed.Length + power;
        if (integerDigits > 13)
        {
            return null;
        }

        var cents = BigInteger.Parse(trimmed, CultureInfo.InvariantCulture) * BigInteger.Pow(10, (int)(power + 2));
        var value = (decimal)cents / 100m;
        return negative ? -value : value;
    }
}
