namespace TransactionPipeline.Offers;

/// <summary>One offer per assessed date: product, multiple of the day's revenue and rate by risk level (see <c>docs/credit-model.md</c>).</summary>
internal sealed class DefaultOfferStrategy : IOfferStrategy
{
    public ValueTask<IReadOnlyList<CreditOffer>> CreateOffersAsync(OfferContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var byDate = context.Aggregates.ToDictionary(a => a.Date);
        var offers = new List<CreditOffer>(context.Assessments.Count);
        foreach (var assessment in context.Assessments)
        {
            var day = byDate[assessment.Date];
            var (type, multiple, rate) = Terms(assessment.RiskLevel);
            var amount = Math.Max(0m, Math.Floor(day.RevenueAmount * multiple / 100m) * 100m);
            offers.Add(new CreditOffer(day.Date, type, amount, rate, assessment.CreditScore, assessment.RiskLevel, day.TransactionCount));
        }

        return ValueTask.FromResult<IReadOnlyList<CreditOffer>>(offers);
    }

    internal static (string OfferType, decimal RevenueMultiple, decimal InterestRate) Terms(RiskLevel risk) => risk switch
    {
        RiskLevel.Low => ("credit_line", 3m, 0.05m),
        RiskLevel.Medium => ("term_loan", 2m, 0.08m),
        _ => ("secured_loan", 1m, 0.12m),
    };
}
