using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TransactionPipeline;
using TransactionPipeline.Credit;
using TransactionPipeline.Engine;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the transaction pipeline in an <see cref="IServiceCollection"/>.</summary>
public static class TransactionPipelineServiceCollectionExtensions
{
    /// <summary>Adds the pipeline with its default credit model and offer strategy.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the options; validated when the host starts.</param>
    /// <returns>A builder to pick a store (<c>UseSqlite</c>, <c>UsePostgreSql</c>) and add plug-ins on.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// Calling it twice is harmless: the second call only adds its <paramref name="configure"/>. Services the host
    /// registered before (an <see cref="ICreditModel"/>, an <see cref="IOfferStrategy"/>, a <see cref="TimeProvider"/>) win over the defaults.
    /// </remarks>
    public static ITransactionPipelineBuilder AddTransactionPipeline(
        this IServiceCollection services, Action<TransactionPipelineOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        var options = services.AddOptionsWithValidateOnStart<TransactionPipelineOptions, TransactionPipelineOptionsValidator>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        if (services.Any(descriptor => descriptor.ServiceType == typeof(PipelineMarker)))
        {
            return new TransactionPipelineBuilder(services);
        }

        services.AddSingleton<PipelineMarker>();
        services.TryAddEnumerable(
            ServiceDescriptor.Singleton<IValidateOptions<TransactionPipelineOptions>, TransactionPipelineOptionsCustomValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ICreditModel, DefaultCreditModel>();
        services.TryAddSingleton<IOfferStrategy, DefaultOfferStrategy>();
        services.TryAddSingleton<JobEventNotifier>();
        services.TryAddSingleton<IPipeline>(DefaultPipeline.Create);
        return new TransactionPipelineBuilder(services);
    }

    private sealed class PipelineMarker;
}
