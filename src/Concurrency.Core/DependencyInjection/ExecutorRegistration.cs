using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Concurrency.DependencyInjection;

/// <summary>The registration every executor package shares: named options, validation at start-up, a (keyed) singleton.</summary>
internal static class ExecutorRegistration
{
    /// <summary>
    /// Registers <typeparamref name="TExecutor"/> as <see cref="IWorkExecutor"/> (keyed when <paramref name="serviceKey"/> is set)
    /// with options named after the key. The first registration of a key wins; configuration delegates add up.
    /// </summary>
    public static IServiceCollection Add<TOptions, TExecutor>(
        IServiceCollection services,
        string? serviceKey,
        Action<TOptions>? configure,
        IConfiguration? configuration,
        Func<TOptions, ILoggerFactory?, TExecutor> create)
        where TOptions : WorkExecutorOptions
        where TExecutor : class, IWorkExecutor
    {
        ArgumentNullException.ThrowIfNull(services);
        if (serviceKey is not null)
        {
            // An empty key would name the default options (Options.DefaultName is ""), mixing this executor's settings with the unkeyed one's.
            ArgumentException.ThrowIfNullOrWhiteSpace(serviceKey);
        }

        var optionsName = serviceKey ?? Options.DefaultName;
        var builder = services.AddOptions<TOptions>(optionsName);
        if (configuration is not null)
        {
            builder.Bind(configuration);
        }

        if (configure is not null)
        {
            builder.Configure(configure);
        }

        builder.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, WorkExecutorOptionsValidator<TOptions>>());

        TExecutor Factory(IServiceProvider sp)
        {
            var options = sp.GetRequiredService<IOptionsMonitor<TOptions>>().Get(optionsName);
            if (options.Name is null && serviceKey is not null)
            {
                options.Name = serviceKey;
            }

            return create(options, sp.GetService<ILoggerFactory>());
        }

        if (serviceKey is null)
        {
            services.TryAddSingleton(Factory);
            services.TryAddSingleton<IWorkExecutor>(sp => sp.GetRequiredService<TExecutor>());
        }
        else
        {
            services.TryAddKeyedSingleton<TExecutor>(serviceKey, (sp, _) => Factory(sp));
            services.TryAddKeyedSingleton<IWorkExecutor>(serviceKey, (sp, key) => sp.GetRequiredKeyedService<TExecutor>(key));
        }

        return services;
    }
}

/// <summary>Runs <see cref="WorkExecutorOptions"/>' own validation for dependency injection.</summary>
internal sealed class WorkExecutorOptionsValidator<TOptions> : IValidateOptions<TOptions>
    where TOptions : WorkExecutorOptions
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var errors = new List<string>();
        options.Validate(errors);
        if (errors.Count == 0)
        {
            return ValidateOptionsResult.Success;
        }

        var prefix = string.IsNullOrEmpty(name) ? string.Empty : $"Executor '{name}': ";
        return ValidateOptionsResult.Fail(errors.Select(e => prefix + e));
    }
}
