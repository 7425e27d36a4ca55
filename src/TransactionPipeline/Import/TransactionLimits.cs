namespace TransactionPipeline;

/// <summary>The contract's limits on one transaction, the same for every input and every store.</summary>
/// <remarks>The JSON reader, the validation of in-process inputs and the stores all take their limits from here.</remarks>
public static class TransactionLimits
{
    /// <summary>The most digits an amount may have before the decimal point.</summary>
    public const int MaxAmountIntegerDigits = 13;

    /// <summary>The most digits an amount may have after the decimal point.</summary>
    public const int MaxAmountDecimals = 2;

    /// <summary>The most characters (Unicode scalar values) a description may have.</summary>
    public const int MaxDescriptionLength = 255;

    /// <summary>The smallest amount, in absolute value, that has too many integer digits: 10^13.</summary>
    public static decimal AmountLimit { get; } = 10_000_000_000_000m;
}
