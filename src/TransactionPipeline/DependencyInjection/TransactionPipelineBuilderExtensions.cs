using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace TransactionPipeline;

/// <summary>Plug-in registration on <see cref="ITransactionPipelineBuilder"/>.</summary>
public static class TransactionPipelineBuilderExtensions
{
    /// <summary>Replaces the default credit model.</summary>
    /// <typeparam name="TModel">The model; created once and shared by every job.</typeparam>
    /// <param name="builder">The pipeline builder.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static ITransactionPipelineBuilder UseCreditModel<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TModel>(this ITransactionPipelineBuilder builder)
        where TModel : class, ICreditModel =>
        AddPlugIn<ICreditModel, TModel>(builder, oneOfMany: false);

    /// <summary>Replaces the default offer strategy.</summary>
    /// <typeparam name="TStrategy">The strategy; created once and shared by every job.</typeparam>
    /// <param name="builder">The pipeline builder.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static ITransactionPipelineBuilder UseOfferStrategy<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TStrategy>(this ITransactionPipelineBuilder builder)
        where TStrategy : class, IOfferStrategy =>
        AddPlugIn<IOfferStrategy, TStrategy>(builder, oneOfMany: false);

    /// <summary>Adds a stage that sees every batch of transactions before it is stored and aggregated.</summary>
    /// <typeparam name="TStage">The stage; stages run in the order they are added.</typeparam>
    /// <param name="builder">The pipeline builder.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static ITransactionPipelineBuilder AddTransactionStage<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TStage>(this ITransactionPipelineBuilder builder)
        where TStage : class, ITransactionStage =>
        AddPlugIn<ITransactionStage, TStage>(builder, oneOfMany: true);

    /// <summary>Adds a stage that acts on a job's results after offers are generated and before the job completes.</summary>
    /// <typeparam name="TStage">The stage; stages run in the order they are added.</typeparam>
    /// <param name="builder">The pipeline builder.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static ITransactionPipelineBuilder AddResultStage<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TStage>(this ITransactionPipelineBuilder builder)
        where TStage : class, IResultStage =>
        AddPlugIn<IResultStage, TStage>(builder, oneOfMany: true);

    /// <summary>Registers one class as the job, transaction and result store, and as the <see cref="IWebhookStore"/> and <see cref="IIdempotencyStore"/> when it is one; for storage providers.</summary>
    /// <typeparam name="TStore">A store registered in <see cref="ITransactionPipelineBuilder.Services"/> that implements the three required roles.</typeparam>
    /// <remarks>
    /// Roles may also live in separate classes: register each one in <see cref="ITransactionPipelineBuilder.Services"/>
    /// (<see cref="IJobStore"/>, <see cref="ITransactionStore"/>, <see cref="IResultStore"/>) instead of calling this.
    /// The <see cref="IJobEventLog"/> is the job store unless one is registered.
    /// </remarks>
    /// <param name="builder">The pipeline builder.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static ITransactionPipelineBuilder UseStorage<TStore>(this ITransactionPipelineBuilder builder)
        where TStore : class, IJobStore, ITransactionStore, IResultStore
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton<IJobStore>(sp => sp.GetRequiredService<TStore>()));
        builder.Services.Replace(ServiceDescriptor.Singleton<ITransactionStore>(sp => sp.GetRequiredService<TStore>()));
        builder.Services.Replace(ServiceDescriptor.Singleton<IResultStore>(sp => sp.GetRequiredService<TStore>()));
        builder.Services.RemoveAll<IWebhookStore>();
        if (typeof(IWebhookStore).IsAssignableFrom(typeof(TStore)))
        {
            builder.Services.AddSingleton(sp => (IWebhookStore)sp.GetRequiredService<TStore>());
        }

        builder.Services.RemoveAll<IIdempotencyStore>();
        if (typeof(IIdempotencyStore).IsAssignableFrom(typeof(TStore)))
        {
            builder.Services.AddSingleton(sp => (IIdempotencyStore)sp.GetRequiredService<TStore>());
        }

        return builder;
    }

    /// <summary>Registers a plug-in: the one implementation of a role (<paramref name="oneOfMany"/> false), or one more stage of a chain.</summary>
    private static ITransactionPipelineBuilder AddPlugIn<TService, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TImplementation>(
        ITransactionPipelineBuilder builder, bool oneOfMany)
        where TService : class
        where TImplementation : class, TService
    {
        ArgumentNullException.ThrowIfNull(builder);
        var descriptor = ServiceDescriptor.Singleton<TService, TImplementation>();
        if (oneOfMany)
        {
            builder.Services.TryAddEnumerable(descriptor);
        }
        else
        {
            builder.Services.Replace(descriptor);
        }

        return builder;
    }
}
