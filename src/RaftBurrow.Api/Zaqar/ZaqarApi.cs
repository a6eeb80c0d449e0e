using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace RaftBurrow.Api.Zaqar;

/// <summary>The Zaqar v2 front end: routes under <c>/</c> (versions) and <c>/v2</c>.</summary>
public static class ZaqarApi
{
    /// <summary>Name of the HttpClient the webhook notifier uses.</summary>
    public const string WebhookHttpClientName = "RaftBurrow.Zaqar.Webhooks";

    /// <summary>
    /// Registers the Zaqar API's options (section <c>Zaqar:</c>), its runtime and background workers
    /// (webhook notifier, dead-letter mover; both act only on partitions this node leads). Needs an
    /// <see cref="IQueueService"/>; uses a registered <see cref="TimeProvider"/> or the system clock.
    /// </summary>
    public static IServiceCollection AddZaqarApi(this IServiceCollection services, IConfiguration configuration)
    {
        var options = new ZaqarOptions();
        configuration.GetSection(ZaqarOptions.SectionName).Bind(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.AddSingleton(sp => new ZaqarRuntime(sp.GetRequiredService<IQueueService>(), options, sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ZaqarRuntime>>()));
        services.AddHttpClient(WebhookHttpClientName, client => client.Timeout = TimeSpan.FromMilliseconds(options.WebhookTimeoutMs));
        if (options.EnableWebhookNotifier)
            services.AddHostedService<WebhookNotifier>();
        if (options.EnableDeadLetterMover)
            services.AddHostedService<DeadLetterMover>();
        return services;
    }

    /// <summary>Maps every Zaqar v2 route.</summary>
    public static IEndpointRouteBuilder MapZaqarApi(this IEndpointRouteBuilder endpoints)
    {
        var v2 = endpoints.MapGroup("/v2");
        endpoints.MapSystem(v2);
        v2.MapQueues();
        v2.MapMessages();
        v2.MapClaims();
        v2.MapSubscriptions();
        v2.MapOpenApiDocument();
        // Unknown paths under /v2 get a Zaqar error body instead of an empty 404; known paths with
        // another method get 405 with Allow (the fallback would otherwise hide the 405).
        v2.MapFallback("{**path}", ZaqarEndpoint.Handle(call => Task.FromResult(MethodNotAllowed.Check(call))));
        return endpoints;
    }
}
