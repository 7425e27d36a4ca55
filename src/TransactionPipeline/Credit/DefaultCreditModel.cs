namespace TransactionPipeline.Credit;

/// <summary>The documented default model: three weighted sub-scores mapped onto 300..850 (see <c>docs/credit-model.md</c>).</summary>
internal sealed class DefaultCreditModel : ICreditModel
{
    public const int MinimumScore = 300;
    public const int ScoreSpan = 550;
    public const decimal MediumBand = 0.2m;

    public ValueTask<IReadOnlyList<CreditAssessment>> ScoreAsync(CreditModelContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var config = context.Config;
        var weights = config.Weights;
        var weightSum = weights.TransactionVolume + weights.RevenueRatio + weights.Consistency;
        var aggregates = context.Aggregates;
        var meanTotal = aggregates.Count == 0 ? 0 : aggregates.Sum(a => a.TotalAmount) / aggregates.Count;

        var assessments = new List<CreditAssessment>(aggregates.Count);
        foreach (var day in aggregates)
        {
            var volume = Math.Min(1m, (decimal)day.TransactionCount / config.VolumeTarget);
            var revenueRatio = day.TotalAmount > 0 ? Math.Clamp(day.RevenueAmount / day.TotalAmount, 0m, 1m) : 0m;
            var consistency = meanTotal > 0 ? Math.Max(0m, 1m - (Math.Abs(day.TotalAmount - meanTotal) / meanTotal)) : 0m;

            var factors = new[]
            {
                Factor("transaction_volume", volume, weights.TransactionVolume / weightSum),
                Factor("revenue_ratio", revenueRatio, weights.RevenueRatio / weightSum),
                Factor("consistency", consistency, weights.Consistency / weightSum),
            };
            var composite = factors.Sum(f => f.Value * f.Weight);
            var score = MinimumScore + (int)Math.Round(ScoreSpan * composite, MidpointRounding.AwayFromZero);
            var risk = composite >= config.RiskThreshold ? RiskLevel.Low
                : composite >= config.RiskThreshold - MediumBand ? RiskLevel.Medium
                : RiskLevel.High;
            assessments.Add(new CreditAssessment(day.Date, score, risk, ReportOrder(factors)));
        }

        return ValueTask.FromResult<IReadOnlyList<CreditAssessment>>(assessments);
    }

    private static ScoreFactor Factor(string code, decimal value, decimal weight) =>
        new(code, value, weight, ScoreSpan * value * weight);

    private static ScoreFactor[] ReportOrder(ScoreFactor[] factors) =>
        factors
            .Select(f => f with { Value = Math.Round(f.Value, 4), Weight = Math.Round(f.Weight, 4), Points = Math.Round(f.Points, 2) })
            .OrderByDescending(f => f.Points)
            .ToArray();
}
