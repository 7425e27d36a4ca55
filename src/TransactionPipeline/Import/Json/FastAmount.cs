using System.Runtime.CompilerServices;

namespace TransactionPipeline.Import.Json;

/// <summary>An amount as the item scanner reads it: at most 15 digits, at most 2 of them after the point.</summary>
/// <param name="mantissa">The digits without the point, as one number.</param>
/// <param name="scale">How many of the digits follow the point: 0, 1 or 2.</param>
/// <param name="negative">Whether a minus sign came first (also for a zero).</param>
internal readonly struct FastAmount(long mantissa, byte scale, bool negative)
{
    public byte Scale { get; } = scale;

    /// <summary>Gets the amount in hundredths, signed: exact, as the mantissa has at most 15 digits.</summary>
    public long Hundredths
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            var hundredths = Scale switch { 2 => mantissa, 1 => mantissa * 10, _ => mantissa * 100 };
            return negative ? -hundredths : hundredths;
        }
    }

    /// <summary>The same value, scale and sign (negative zero included) as <c>Utf8JsonReader.TryGetDecimal</c> gives for the text.</summary>
    public decimal ToDecimal() => new((int)mantissa, (int)(mantissa >> 32), 0, negative, Scale);
}

/// <summary>What the aggregate-only fast path takes from one item: the parts of its sum, no description.</summary>
internal struct Summand
{
    public FastAmount Amount;
    public DateOnly Date;
    public bool IsRevenue;
}
