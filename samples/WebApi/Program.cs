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

// The adapter's options come from the "TransactionPipeline:Http" section. appsettings.Development.json lets webhooks
// reach a receiver on this machine (AllowPrivateWebhookTargets); any other environment keeps the forgery guard on.
pipeline.AddHttpAdapter();
builder.Services.Configure<TransactionPipelineHttpOptions>(builder.Configuration.GetSection("TransactionPipeline:Http"));
builder.Services.AddOpenApi();

// /healthz answers 503 while the job store does not answer; the host keeps running meanwhile.
builder.Services.AddHealthChecks().AddTransactionPipeline();

var app = builder.Build();

// Problem details for every error of the host too: an unhandled exception, and a status code without a body.
app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapOpenApi();
app.MapHealthChecks("/healthz");
app.MapTransactionPipeline();
app.Run();
