using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace RaftBurrow.Api.Burrow;

/// <summary>The Burrow v1.0 front end: routes under <c>/v1.0</c> (docs/api-burrow.md).</summary>
/// <remarks>
/// Burrow's <c>GET /</c> (<c>["v1.0"]</c>) is not mapped here: <c>/</c> is Zaqar's versions document.
/// Burrow's own client never requests it.
/// </remarks>
public static class BurrowApi
{
    /// <summary>Registers the Burrow API's options (Burrow:DefaultTtlSeconds, …). Needs an <see cref="IQueueService"/>.</summary>
    public static IServiceCollection AddBurrowApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BurrowOptions>()
            .Bind(configuration.GetSection(BurrowOptions.SectionName))
            .Validate(o => o.DefaultTtlSeconds >= 0 && o.DefaultTtlSeconds <= o.MaxAttributeSeconds, "Burrow:DefaultTtlSeconds must be between 0 and Burrow:MaxAttributeSeconds.")
            .Validate(o => o.MaxParkedWaiters >= 0, "Burrow:MaxParkedWaiters must not be negative.")
            .Validate(o => o.MaxWaitSeconds > 0, "Burrow:MaxWaitSeconds must be positive.")
            .Validate(o => o.LongPollRecheckMs > 0, "Burrow:LongPollRecheckMs must be positive.")
            .Validate(o => o.MaxMessageBytes > 0, "Burrow:MaxMessageBytes must be positive.")
            .ValidateOnStart();
        services.AddSingleton<BurrowWaiterGate>();
        services.AddSingleton<BurrowLongPoll>();
        services.AddSingleton<BurrowEndpoint>();
        return services;
    }

    /// <summary>Maps every Burrow v1.0 route (all methods: the handler answers 404/405 itself, per the contract).</summary>
    public static IEndpointRouteBuilder MapBurrowApi(this IEndpointRouteBuilder endpoints)
    {
        static Task Handle(HttpContext context) => context.RequestServices.GetRequiredService<BurrowEndpoint>().HandleAsync(context);
        endpoints.Map("/v1.0", Handle).WithDisplayName("Burrow v1.0");
        endpoints.Map("/v1.0/{**path}", Handle).WithDisplayName("Burrow v1.0 (path)");
        return endpoints;
    }
}
