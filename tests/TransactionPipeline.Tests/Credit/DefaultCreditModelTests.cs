using TransactionPipeline.Credit;
using TransactionPipeline.Offers;

namespace TransactionPipeline.Tests.Credit;

/// <summary>Checks the worked example of docs/credit-model.md, number for number.</summary>
public sealed class DefaultCreditModelTests
{
    private static readonly DailyAggregate[] Example =
    [
        new(new DateOnly(2024, 1, 1), 1000.00m, 800.00m, 50),
        new(new DateOnly(2024, 1, 2), 1500.00m, 1500.00m, 120),
        new(new DateOnly(2024, 1, 3), 500.00m, 100.00m, 10),
    ];

    private static async Task<IReadOnlyList<CreditAssessment>> ScoreAsync(CreditModelConfig config) =>
        await new DefaultCreditModel().ScoreAsync(new CreditModelContext("job", Example, config), CancellationToken.None);

    [Fact]
    public async Task ScoreAsync_DocumentedExample_GivesDocumentedScores()
    {
        var assessments = await ScoreAsync(CreditModelConfig.Default);

        assessments.Select(a => (a.Date.Day, a.CreditScore, a.RiskLevel)).Should().Equal(
            (1, 707, RiskLevel.Low),
            (2, 768, RiskLevel.Low),
            (3, 438, RiskLevel.High));
    }

    [Fact]
    public async Task ScoreAsync_DocumentedExample_ReturnsReasonCodesThatAddUp()
    {
        var first = (await ScoreAsync(CreditModelConfig.Default))[0];

        first.Factors.Select(f => (f.Code, f.Value, f.Points)).Should().Equal(
            ("consistency", 1m, 165m),
            ("revenue_ratio", 0.8m, 132m),
            ("transaction_volume", 0.5m, 110m));
        (300 + first.Factors.Sum(f => f.Points)).Should().Be(first.CreditScore);
        first.Factors.Sum(f => f.Weight).Should().Be(1m);
    }

    [Fact]
    public async Task ScoreAsync_HigherThreshold_MovesDatesToMediumRisk()
    {
        var assessments = await ScoreAsync(CreditModelConfig.Default with { RiskThreshold = 0.9m });

        assessments.Select(a => a.RiskLevel).Should().Equal(RiskLevel.Medium, RiskLevel.Medium, RiskLevel.High);
    }

    [Fact]
    public async Task ScoreAsync_WeightsAreRelative_OnlyTheirRatioMatters()
    {
        var scaled = await ScoreAsync(CreditModelConfig.Default with { Weights = new CreditScoreWeights(4, 3, 3) });

        scaled.Select(a => a.CreditScore).Should().Equal(707, 768, 438);
    }

    [Fact]
    public async Task CreateOffersAsync_DocumentedExample_GivesDocumentedOffers()
    {
        var assessments = await ScoreAsync(CreditModelConfig.Default);

        var offers = await new DefaultOfferStrategy().CreateOffersAsync(
            new OfferContext("job", Example, assessments, CreditModelConfig.Default), CancellationToken.None);

        offers.Should().Equal(
            new CreditOffer(new DateOnly(2024, 1, 1), "credit_line", 2400m, 0.05m, 707, RiskLevel.Low, 50),
            new CreditOffer(new DateOnly(2024, 1, 2), "credit_line", 4500m, 0.05m, 768, RiskLevel.Low, 120),
            new CreditOffer(new DateOnly(2024, 1, 3), "secured_loan", 100m, 0.12m, 438, RiskLevel.High, 10));
    }
}
