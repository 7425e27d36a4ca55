using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace TransactionPipeline.AspNetCore.Tests;

public sealed class TransactionPipelineEndpointRouteBuilderExtensionsTests
{
    [Fact]
    public async Task MapTransactionPipeline_WithoutAddHttpAdapter_ThrowsNamingIt()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddTransactionPipeline().UseTestStorage().AddHostedWorker();
        await using var app = builder.Build();

        var map = () => app.MapTransactionPipeline();

        map.Should().Throw<InvalidOperationException>().WithMessage("*AddHttpAdapter()*");
    }

    [Fact]
    public async Task AddHttpAdapter_InvalidOptions_FailsAtStartup()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddTransactionPipeline().UseTestStorage().AddHttpAdapter(options =>
        {
            options.WebhookFirstRetryDelay = TimeSpan.FromMinutes(5);
            options.WebhookMaxRetryDelay = TimeSpan.FromMinutes(1);
        });
        await using var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");

        var start = () => app.StartAsync();

        await start.Should().ThrowAsync<Microsoft.Extensions.Options.OptionsValidationException>().WithMessage("*WebhookFirstRetryDelay*");
    }
}
