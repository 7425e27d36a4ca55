using TransactionPipeline;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddTransactionPipeline()
    .UseSampleStorage()
    .AddHttpAdapter(options =>
    {
        // Lets a developer point webhooks at a receiver on this machine; production keeps the forgery guard.
        options.AllowPrivateWebhookTargets = builder.Environment.IsDevelopment();
    });
builder.Services.AddOpenApi();

var app = builder.Build();
app.MapOpenApi();
app.MapTransactionPipeline();
app.Run();

/// <summary>The sample's one choice of store.</summary>
internal static class SampleStorage
{
    /// <summary>Picks the store: in memory for now; <c>builder.UseSqlite("Data Source=jobs.db")</c> once the SQLite package lands.</summary>
    public static ITransactionPipelineBuilder UseSampleStorage(this ITransactionPipelineBuilder builder) => builder.UseInMemoryStorage();
}
