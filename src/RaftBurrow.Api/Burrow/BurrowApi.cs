using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace RaftBurrow.Api.Burrow;

/// <summary>The Burrow v1.0 front end: routes under <c>/v1.0</c>.</summary>
public static class BurrowApi
{
    /// <summary>Registers the Burrow API's options (Burrow:DefaultTtlSeconds, …). Needs an <see cref="IQueueService"/>.</summary>
    public static IServiceCollection AddBurrowApi(this IServiceCollection services, IConfiguration configuration) => services;

    /// <summary>Maps every Burrow v1.0 route.</summary>
    public static IEndpointRouteBuilder MapBurrowApi(this IEndpointRouteBuilder endpoints) => endpoints;
}
