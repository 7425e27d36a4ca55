namespace TransactionPipeline;

/// <summary>A credit offer for one aggregated date.</summary>
/// <remarks>
/// A field added later arrives as an init property, so existing callers keep compiling. The constructor's parameters keep
/// the properties' names, as the positional form had them, so calls with named arguments keep compiling too.
/// </remarks>
public sealed record CreditOffer
{
    /// <summary>Initializes a new instance with every field.</summary>
    /// <param name="Date">The date the offer is based on.</param>
    /// <param name="OfferType">The product offered, for example <c>credit_line</c>.</param>
    /// <param name="Amount">The offered principal.</param>
    /// <param name="InterestRate">The yearly interest rate as a fraction (0.05 is 5 %).</param>
    /// <param name="CreditScore">The score the offer was derived from.</param>
    /// <param name="RiskLevel">The risk band the offer was derived from.</param>
    /// <param name="TransactionCount">How many transactions the date aggregated.</param>
    public CreditOffer(DateOnly Date, string OfferType, decimal Amount, decimal InterestRate, int CreditScore, RiskLevel RiskLevel, long TransactionCount)
    {
        this.Date = Date;
        this.OfferType = OfferType;
        this.Amount = Amount;
        this.InterestRate = InterestRate;
        this.CreditScore = CreditScore;
        this.RiskLevel = RiskLevel;
        this.TransactionCount = TransactionCount;
    }

    /// <summary>Gets the date the offer is based on.</summary>
    public DateOnly Date { get; init; }

    /// <summary>Gets the product offered, for example <c>credit_line</c>.</summary>
    public string OfferType { get; init; }

    /// <summary>Gets the offered principal.</summary>
    public decimal Amount { get; init; }

    /// <summary>Gets the yearly interest rate as a fraction (0.05 is 5 %).</summary>
    public decimal InterestRate { get; init; }

    /// <summary>Gets the score the offer was derived from.</summary>
    public int CreditScore { get; init; }

    /// <summary>Gets the risk band the offer was derived from.</summary>
    public RiskLevel RiskLevel { get; init; }

    /// <summary>Gets how many transactions the date aggregated.</summary>
    public long TransactionCount { get; init; }
}
