using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TransactionPipeline;

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
        services.TryAddSingleton<HostStopping>();
        services.TryAddSingleton<JobErrorClassifier>();
        services.TryAddSingleton<PipelineTelemetry>();
        services.TryAddSingleton<IJobEventLog>(sp => sp.GetRequiredService<IJobStore>());
        services.TryAddSingleton<JobEventWatcher>();
        services.TryAddSingleton<ActiveJobs>();
        services.TryAddSingleton<JobQueue>();
        services.TryAddSingleton(sp => Create<JobWriter>(sp));
        services.TryAddSingleton(sp => Create<JobImporter>(sp));
        services.TryAddSingleton(sp => Create<JobEraser>(sp));
        services.TryAddSingleton(sp => Create<StageRunner>(sp));
        services.TryAddSingleton(sp => Create<RecoveryLoop>(sp));
        services.TryAddSingleton(sp => Create<RetentionSweeper>(sp));
        services.TryAddSingleton<IPipelineWorker>(sp => Create<JobWorker>(sp));
        services.TryAddSingleton<IPipeline>(DefaultPipeline.Create);
        return new TransactionPipelineBuilder(services);
    }

    /// <summary>Creates an engine unit, with a null logger when the host registered no logging.</summary>
    private static T Create<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] T>(IServiceProvider services)
    {
        DefaultPipeline.EnsureStore(services);
        var loggers = services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        return ActivatorUtilities.CreateInstance<T>(services, loggers.CreateLogger<T>());
    }

    private sealed class PipelineMarker;
}
