using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
namespace TransactionPipeline.Import.Json;

/// <summary>The fast path's value scanners: amounts, strings and their escapes, read straight from UTF-8 without a reader.</summary>
internal static partial class FastItemScanner
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool TryFastAmount(ReadOnlySpan<byte> text, out FastAmount amount, out int used)
    {
        amount = default;
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
        if (integerDigits == 0 || integerDigits > TransactionLimits.MaxAmountIntegerDigits || (integerDigits > 1 && text[start] == '0'))
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

        amount = new FastAmount(mantissa, scale, negative);
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

        // At most 255 bytes between the quotes, so never more than 255 characters whatever the escapes and encoding.
        var end = IndexOfStringStop(value[..Math.Min(value.Length, MaxFastStringBytes + 2)], 1, out var ascii) - 1;
        var body = value[1..];
        if (end < 0 || end > MaxFastStringBytes || body[end] < 0x20)
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

            text = keep ? Encoding.UTF8.GetString(raw) : string.Empty;
            used = end + 2;
            return true;
        }

        body = body[..Math.Min(body.Length, MaxFastStringBytes + 1)];
        if (!keep)
        {
            // Nothing reads the text: prove the escapes valid without building it.
            return TryValidateEscaped(body, end, ascii, out used);
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

    /// <summary>Finds the first quote, backslash or control byte at or after <paramref name="start"/>; -1 when there is none.</summary>
    /// <param name="data">The bytes to search.</param>
    /// <param name="start">Where to start.</param>
    /// <param name="ascii">Set to whether every byte before the one found is ASCII.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int IndexOfStringStop(ReadOnlySpan<byte> data, int start, out bool ascii)
    {
        // Inline 16 bytes at a time: descriptions are short, so a library call per string would cost more than the search.
        ref var first = ref MemoryMarshal.GetReference(data);
        uint high = 0;
        var i = start;
        if (Vector128.IsHardwareAccelerated)
        {
            var quote = Vector128.Create((byte)'"');
            var backslash = Vector128.Create((byte)'\\');
            var space = Vector128.Create((byte)0x20);
            for (; i <= data.Length - Vector128<byte>.Count; i += Vector128<byte>.Count)
            {
                var chunk = Vector128.LoadUnsafe(ref first, (nuint)i);
                var stops = (Vector128.Equals(chunk, quote) | Vector128.Equals(chunk, backslash) | Vector128.LessThan(chunk, space))
                    .ExtractMostSignificantBits();
                var nonAscii = chunk.ExtractMostSignificantBits();
                if (stops != 0)
                {
                    var at = BitOperations.TrailingZeroCount(stops);
                    ascii = (high | (nonAscii & ((1u << at) - 1))) == 0;
                    return i + at;
                }

                high |= nonAscii;
            }
        }

        for (; i < data.Length; i++)
        {
            var b = data[i];
            if (b == '"' || b == '\\' || b < 0x20)
            {
                ascii = high == 0;
                return i;
            }

            high |= b & 0x80u;
        }

        ascii = high == 0;
        return -1;
    }

    /// <summary>
    /// Checks the rest of a string body from its first backslash at <paramref name="i"/>: the escapes JSON allows, no
    /// lone surrogate (which <c>GetString</c> rejects), no control byte, valid UTF-8 between escapes.
    /// </summary>
    /// <returns><see langword="true"/> when the general path would read the same string without error.</returns>
    /// <remarks>Optimised from the start: a short import would otherwise run it unoptimised for much of its time, as a
    /// description with an escape is common and the method is only promoted after many calls.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool TryValidateEscaped(ReadOnlySpan<byte> body, int i, bool asciiBefore, out int used)
    {
        used = 0;
        if (!asciiBefore && !Utf8.IsValid(body[..i]))
        {
            return false;
        }

        while (true)
        {
            if (body[i] == '"')
            {
                used = i + 2;
                return true;
            }

            // body[i] is a backslash.
            if (++i >= body.Length)
            {
                return false;
            }

            switch (body[i])
            {
                case (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t':
                    i++;
                    break;
                case (byte)'u':
                    if (!TryHex4(body, i + 1, out var unit) || char.IsLowSurrogate((char)unit))
                    {
                        return false;
                    }

                    i += 5;
                    if (char.IsHighSurrogate((char)unit))
                    {
                        if (i + 6 > body.Length || body[i] != '\\' || body[i + 1] != 'u' || !TryHex4(body, i + 2, out var low)
                            || !char.IsLowSurrogate((char)low))
                        {
                            return false;
                        }

                        i += 6;
                    }

                    break;
                default:
                    return false;
            }

            var rest = body[i..];
            var next = IndexOfStringStop(rest, 0, out var ascii);
            if (next < 0 || rest[next] < 0x20 || (!ascii && !Utf8.IsValid(rest[..next])))
            {
                return false;
            }

            i += next;
        }
    }

    private static bool TryHex4(ReadOnlySpan<byte> text, int start, out int value)
    {
        value = 0;
        if (start + 4 > text.Length)
        {
            return false;
        }

        foreach (var b in text.Slice(start, 4))
        {
            var digit = HexConverter(b);
            if (digit < 0)
            {
                return false;
            }

            value = (value << 4) | digit;
        }

        return true;
    }

    private static int HexConverter(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

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
            if (text is null || text.Length > TransactionLimits.MaxDescriptionLength)
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
