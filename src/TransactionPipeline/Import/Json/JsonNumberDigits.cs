namespace TransactionPipeline.Import.Json;

/// <summary>Counts the digits a JSON number's exact value needs before and after the decimal point.</summary>
/// <remarks>
/// Works on the number as written, not on a <see cref="decimal"/> parsed from it: parsing rounds to 29 significant
/// digits, so <c>1.000000000000000000000000000001</c> would pass as 1 and <c>1e-30</c> as 0. Leading and trailing
/// zeros do not count, and an exponent moves the point: <c>12.5e1</c> needs 3 integer digits and none after the point.
/// </remarks>
internal static class JsonNumberDigits
{
    /// <summary>An exponent beyond this makes any non-zero value far out of the contract's range.</summary>
    private const long ExponentLimit = 1_000_000;

    /// <summary>Counts the digits of a well-formed JSON number (the reader has validated its grammar).</summary>
    /// <param name="number">The number's UTF-8 text.</param>
    /// <param name="integerDigits">The digits before the point of the exact value, 0 for a value below 1.</param>
    /// <param name="fractionDigits">The digits after the point of the exact value, without trailing zeros.</param>
    public static void Count(ReadOnlySpan<byte> number, out long integerDigits, out long fractionDigits)
    {
        var i = number.Length > 0 && number[0] == (byte)'-' ? 1 : 0;
        var mantissaEnd = number.IndexOfAny((byte)'e', (byte)'E');
        if (mantissaEnd < 0)
        {
            mantissaEnd = number.Length;
        }

        var mantissa = number[i..mantissaEnd];
        var point = mantissa.IndexOf((byte)'.');
        var integerPart = point < 0 ? mantissa : mantissa[..point];
        var fractionPart = point < 0 ? [] : mantissa[(point + 1)..];

        // The digits as one run, with the point after `position` of them.
        long position = integerPart.Length + Exponent(number[mantissaEnd..]);
        var leading = CountLeadingZeros(integerPart, fractionPart);
        var total = integerPart.Length + fractionPart.Length;
        var trailing = CountTrailingZeros(integerPart, fractionPart);
        if (leading == total)
        {
            // Zero, however it is written.
            integerDigits = 0;
            fractionDigits = 0;
            return;
        }

        var significant = total - leading - trailing;
        var pointFromFirst = position - leading;
        integerDigits = Math.Max(0, pointFromFirst);
        fractionDigits = Math.Max(0, significant - pointFromFirst);
    }

    private static long Exponent(ReadOnlySpan<byte> text)
    {
        if (text.IsEmpty)
        {
            return 0;
        }

        var i = 1;
        var negative = false;
        if (text[i] is (byte)'+' or (byte)'-')
        {
            negative = text[i] == (byte)'-';
            i++;
        }

        long value = 0;
        for (; i < text.Length; i++)
        {
            value = Math.Min(value * 10 + (text[i] - '0'), ExponentLimit);
        }

        return negative ? -value : value;
    }

    private static int CountLeadingZeros(ReadOnlySpan<byte> integerPart, ReadOnlySpan<byte> fractionPart)
    {
        var zeros = integerPart.IndexOfAnyExcept((byte)'0');
        if (zeros >= 0)
        {
            return zeros;
        }

        var inFraction = fractionPart.IndexOfAnyExcept((byte)'0');
        return integerPart.Length + (inFraction >= 0 ? inFraction : fractionPart.Length);
    }

    private static int CountTrailingZeros(ReadOnlySpan<byte> integerPart, ReadOnlySpan<byte> fractionPart)
    {
        var last = fractionPart.LastIndexOfAnyExcept((byte)'0');
        if (last >= 0)
        {
            return fractionPart.Length - 1 - last;
        }

        var lastInInteger = integerPart.LastIndexOfAnyExcept((byte)'0');
        return fractionPart.Length + (lastInInteger >= 0 ? integerPart.Length - 1 - lastInInteger : integerPart.Length);
    }
}
