using Microsoft.AspNetCore.Authentication;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
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

// Tenants, when the "Tenants:ApiKeys" section maps API keys to tenants, for example
// Tenants__ApiKeys__k3y-for-alice=alice: every pipeline route then needs an authenticated caller (401 otherwise),
// each job belongs to its caller's tenant, and another tenant's job answers 404 on every route.
var tenants = builder.Configuration.GetSection("Tenants:ApiKeys").GetChildren().Any();
if (tenants)
{
    builder.Services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
        .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
    builder.Services.AddAuthorization();
    builder.Services.AddSingleton<IJobTenantProvider, ClaimTenantProvider>();
}

// /healthz answers 503 while the job store does not answer or the worker is stuck; the host keeps running meanwhile.
// /healthz/live and /healthz/ready split them for an orchestrator (docs/observability.md).
builder.Services.AddHealthChecks().AddTransactionPipeline();

// The pipeline's metrics and traces, with ASP.NET Core's: sent over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set,
// written to the console when Telemetry:Console is true, collected and dropped otherwise.
var telemetry = builder.Services.AddOpenTelemetry()
    .WithMetrics(metrics => metrics.AddMeter("TransactionPipeline", "Microsoft.AspNetCore.Hosting"))
    .WithTracing(tracing => tracing.AddSource("TransactionPipeline", "Microsoft.AspNetCore"));
if (builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] is { Length: > 0 })
{
    telemetry.UseOtlpExporter();
}

if (builder.Configuration.GetValue<bool>("Telemetry:Console"))
{
    telemetry.WithMetrics(metrics => metrics.AddConsoleExporter()).WithTracing(tracing => tracing.AddConsoleExporter());
}

var app = builder.Build();

// Problem details for every error of the host too: an unhandled exception, and a status code without a body.
app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapOpenApi();
app.MapHealthChecks("/healthz");
app.MapHealthChecks("/healthz/live", new() { Predicate = check => check.Tags.Contains("live") });
app.MapHealthChecks("/healthz/ready", new() { Predicate = check => check.Tags.Contains("ready") });
var routes = app.MapTransactionPipeline();

// The dashboard at /pipeline: on this machine only, unless authorization guards it as it guards the API's routes.
// (With tenants, the sample's API-key scheme wants a header that a browser does not send: put a proxy that adds it, or a
// cookie scheme, in front; docs/dashboard.md.)
var dashboard = app.MapTransactionPipelineDashboard("/pipeline");
if (tenants)
{
    routes.RequireAuthorization();
    dashboard.RequireAuthorization();
}

app.Run();
