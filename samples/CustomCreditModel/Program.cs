using Microsoft.Extensions.DependencyInjection;
using TransactionPipeline;

// A host that plugs in its own credit model and offer strategy, drops refunds before aggregation and audits the offers.
var database = Path.Combine(Path.GetTempPath(), $"custom-credit-model-{Guid.NewGuid():N}.db");
var services = new ServiceCollection();
services.AddTransactionPipeline()
    .UseSqlite($"Data Source={database}")
    .UseCreditModel<RevenueStreakModel>()
    .UseOfferStrategy<LowRiskOnlyOffers>()
    .AddTransactionStage<DropRefunds>()
    .AddResultStage<OfferAudit>();
await using var provider = services.BuildServiceProvider();
var pipeline = provider.GetRequiredService<IPipeline>();

var transactions = Enumerable.Range(0, 60).Select(i => new TransactionRecord(
    Amount: i % 10 == 9 ? -120.00m : 250.00m + (i * 10),
    Date: new DateOnly(2024, 6, 1).AddDays(i / 6),
    IsRevenue: i % 3 != 0,
    Description: i % 10 == 9 ? "Refund" : $"Sale {i}"));
var configuration = PipelineConfiguration.Default with
{
    CreditModel = CreditModelConfig.Default with { ModelVersion = "revenue-streak-1" },
};

var status = await pipeline.RunAsync(PipelineInput.FromTransactions(transactions.ToAsyncEnumerable(), configuration), CancellationToken.None);
var result = await pipeline.GetResultAsync(status.JobId, CancellationToken.None);
Console.WriteLine($"{status.JobId}: {status.State}, {result!.TransactionsProcessed} transactions kept, model {result.ModelVersion}");
foreach (var offer in result.Offers)
{
    Console.WriteLine($"  {offer.Date:yyyy-MM-dd}  {offer.CreditScore}  {offer.RiskLevel,-6}  {offer.OfferType,-12}  {offer.Amount,8:N0}");
}

Console.WriteLine($"Audit saw {provider.GetServices<IResultStage>().OfType<OfferAudit>().Single().OffersSeen} offers before the job completed.");
File.Delete(database);
return status.State == JobState.JobComplete ? 0 : 1;

/// <summary>Scores a date higher the longer the run of consecutive days with revenue that ends on it.</summary>
internal sealed class RevenueStreakModel : ICreditModel
{
    public ValueTask<IReadOnlyList<CreditAssessment>> ScoreAsync(CreditModelContext context, CancellationToken cancellationToken)
    {
        var streak = 0;
        var previous = DateOnly.MinValue;
        var assessments = new List<CreditAssessment>();
        foreach (var day in context.Aggregates)
        {
            streak = day.RevenueAmount > 0 && previous.AddDays(1) == day.Date ? streak + 1 : day.RevenueAmount > 0 ? 1 : 0;
            previous = day.Date;
            var score = Math.Min(850, 500 + (streak * 40));
            var risk = score >= 700 ? RiskLevel.Low : score >= 600 ? RiskLevel.Medium : RiskLevel.High;
            assessments.Add(new CreditAssessment(day.Date, score, risk, [new ScoreFactor("revenue_streak", streak, 1m, score - 300)]));
        }

        return ValueTask.FromResult<IReadOnlyList<CreditAssessment>>(assessments);
    }
}

/// <summary>Offers credit only on low-risk dates: a credit line of twice the day's revenue, at a rate that falls with the score.</summary>
internal sealed class LowRiskOnlyOffers : IOfferStrategy
{
    public ValueTask<IReadOnlyList<CreditOffer>> CreateOffersAsync(OfferContext context, CancellationToken cancellationToken)
    {
        var byDate = context.Aggregates.ToDictionary(a => a.Date);
        var offers = context.Assessments
            .Where(a => a.RiskLevel == RiskLevel.Low)
            .Select(a => new CreditOffer(
                a.Date,
                "credit_line",
                Math.Floor(byDate[a.Date].RevenueAmount * 2m / 100m) * 100m,
                a.CreditScore >= 750 ? 0.04m : 0.06m,
                a.CreditScore,
                a.RiskLevel,
                byDate[a.Date].TransactionCount))
            .ToList();
        return ValueTask.FromResult<IReadOnlyList<CreditOffer>>(offers);
    }
}

/// <summary>Refunds (negative amounts) are neither stored nor aggregated.</summary>
internal sealed class DropRefunds : ITransactionStage
{
    public ValueTask ProcessAsync(TransactionStageContext context, CancellationToken cancellationToken)
    {
        context.Batch.RemoveAll(t => t.Amount < 0);
        return ValueTask.CompletedTask;
    }
}

/// <summary>Sees the offers after they are generated and before the job completes; throwing would fail the job.</summary>
internal sealed class OfferAudit : IResultStage
{
    private int _offersSeen;

    public int OffersSeen => _offersSeen;

    public ValueTask ProcessAsync(ResultStageContext context, CancellationToken cancellationToken)
    {
        if (context.Result.Offers.Any(o => o.Amount < 0))
        {
            throw new InvalidOperationException("An offer has a negative amount.");
        }

        Interlocked.Add(ref _offersSeen, context.Result.Offers.Count);
        return ValueTask.CompletedTask;
    }
}
