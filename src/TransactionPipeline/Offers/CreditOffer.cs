namespace TransactionPipeline;

/// <summary>A credit offer for one aggregated date.</summary>
/// <param name="Date">The date the offer is based on.</param>
/// <param name="OfferType">The product offered, for example <c>credit_line</c>.</param>
/// <param name="Amount">The offered principal.</param>
/// <param name="InterestRate">The yearly interest rate as a fraction (0.05 is 5 %).</param>
/// <param name="CreditScore">The score the offer was derived from.</param>
/// <param name="RiskLevel">The risk band the offer was derived from.</param>
/// <param name="TransactionCount">How many transactions the date aggregated.</param>
/// <remarks>A new field arrives as an init property in the body, never as a positional parameter, so no caller breaks.</remarks>
public sealed record CreditOffer(
    DateOnly Date,
    string OfferType,
    decimal Amount,
    decimal InterestRate,
    int CreditScore,
    RiskLevel RiskLevel,
    long TransactionCount);
