namespace TransactionPipeline;

/// <summary>The credit score of one aggregated date, with the factors that produced it.</summary>
/// <param name="Date">The scored date.</param>
/// <param name="CreditScore">The score on the 300..850 scale.</param>
/// <param name="RiskLevel">The risk band derived from the score.</param>
/// <param name="Factors">Each factor's contribution to the score (reason codes), most points first.</param>
public sealed record CreditAssessment(DateOnly Date, int CreditScore, RiskLevel RiskLevel, IReadOnlyList<ScoreFactor> Factors);

/// <summary>One factor's part in a credit score.</summary>
/// <param name="Code">The factor's reason code, for example <c>transaction_volume</c>.</param>
/// <param name="Value">The factor's sub-score on 0..1.</param>
/// <param name="Weight">The factor's normalised weight; the weights of one assessment add up to 1.</param>
/// <param name="Points">The score points this factor contributed above the 300 floor.</param>
public sealed record ScoreFactor(string Code, decimal Value, decimal Weight, decimal Points);
