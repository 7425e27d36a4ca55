using TransactionPipeline;

var builder = WebApplication.CreateBuilder(args);

var pipeline = builder.Services.AddTransactionPipeline();

// PostgreSQL when a connection string for it is configured (several hosts may then share the jobs), for example
// ConnectionStrings__PipelinePostgres="Host=localhost;Database=pipeline;Username=app;Password=secret";
// otherwise the embedded SQLite file.
if (builder.Configuration.GetConnectionString("PipelinePostgres") is { Length: > 0 } postgres)
{
    pipeline.UsePostgreSql(postgres);
}
else
{
    pipeline.UseSqlite(builder.Configuration.GetConnectionString("Pipeline") ?? "Data Source=jobs.db");
}

pipeline.AddHttpAdapter(options =>
{
    // Lets a developer point webhooks at a receiver on this machine; production keeps the forgery guard.
    options.AllowPrivateWebhookTargets = builder.Environment.IsDevelopment();
});
builder.Services.AddOpenApi();

var app = builder.Build();
app.MapOpenApi();
app.MapTransactionPipeline();
app.Run();
