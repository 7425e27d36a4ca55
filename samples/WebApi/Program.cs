using TransactionPipeline;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddTransactionPipeline()
    .UseSqlite(builder.Configuration.GetConnectionString("Pipeline") ?? "Data Source=jobs.db")
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
