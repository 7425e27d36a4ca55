using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TransactionPipeline.AspNetCore.Http;
using TransactionPipeline.AspNetCore.Uploads;
using TransactionPipeline.AspNetCore.Webhooks;

namespace TransactionPipeline;

/// <summary>Registers the services behind <c>MapTransactionPipeline()</c>.</summary>
public static class HttpAdapterBuilderExtensions
{
    /// <summary>Adds the HTTP adapter: its options, problem details, the hosted pipeline worker and webhook delivery.</summary>
    /// <param name="builder">The builder that <c>AddTransactionPipeline()</c> returned.</param>
    /// <param name="configure">Configures the adapter's options, or <see langword="null"/> for the defaults.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <remarks>Calling it twice is harmless; the second call only adds its <paramref name="configure"/>.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static ITransactionPipelineBuilder AddHttpAdapter(
        this ITransactionPipelineBuilder builder, Action<TransactionPipelineHttpOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptionsWithValidateOnStart<TransactionPipelineHttpOptions, TransactionPipelineHttpOptionsValidator>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(
            ServiceDescriptor.Singleton<IValidateOptions<TransactionPipelineHttpOptions>, TransactionPipelineHttpOptionsCustomValidator>());
        builder.AddHostedWorker();
        services.AddProblemDetails();

        // The host's own JSON options learn the adapter's types (their contracts come from source generation): what
        // reads them through those options, such as an OpenAPI document, then needs no reflection, which a host
        // published as Native AOT does not have.
        services.ConfigureHttpJsonOptions(json =>
        {
            if (!json.SerializerOptions.TypeInfoResolverChain.Contains(PipelineJsonContext.Default))
            {
                json.SerializerOptions.TypeInfoResolverChain.Insert(0, PipelineJsonContext.Default);
            }
        });
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<WebhookRegistry>();
        services.TryAddSingleton<AspNetCore.Http.Tenants>();
        if (!services.Any(d => d.ServiceType == typeof(UploadRegistry)))
        {
            // One instance both answers the routes and, as a hosted service, ends the unfinished uploads when the host stops.
            services.AddSingleton<UploadRegistry>();
            services.AddHostedService(provider => provider.GetRequiredService<UploadRegistry>());
        }

        if (!services.Any(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(WebhookDeliveryService)))
        {
            services.AddHostedService<WebhookDeliveryService>();
        }

        return builder;
    }
}
