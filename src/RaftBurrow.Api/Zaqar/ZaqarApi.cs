using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace RaftBurrow.Api.Zaqar;

/// <summary>The Zaqar v2 front end: routes under <c>/</c> (versions) and <c>/v2</c>.</summary>
public static class ZaqarApi
{
    /// <summary>Registers the Zaqar API's options and background workers. Needs an <see cref="IQueueService"/>.</summary>
    public static IServiceCollection AddZaqarApi(this IServiceCollection services, IConfiguration configuration) => services;

    /// <summary>Maps every Zaqar v2 route.</summary>
    public static IEndpointRouteBuilder MapZaqarApi(this IEndpointRouteBuilder endpoints) => endpoints;
}
