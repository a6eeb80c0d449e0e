using System.Globalization;
using RaftBurrow.Api;
using RaftBurrow.Api.Burrow;
using RaftBurrow.Api.Dashboard;
using RaftBurrow.Api.Observability;
using RaftBurrow.Api.Zaqar;
using RaftBurrow.Cluster;
using RaftBurrow.Consensus;
using RaftBurrow.StateMachine;

namespace RaftBurrow.Server;

/// <summary>
/// The <c>raftburrow</c> server as a class that Program, tests and benchmarks embed: configuration
/// (appsettings.json, environment, command line; keys in docs/configuration.md), the cluster, the
/// REST front ends, the internal forwarding endpoint, admin and health.
/// </summary>
public static class RaftBurrowServer
{
    /// <summary>The configuration section of the cluster settings.</summary>
    public const string Section = "RaftBurrow";

    /// <summary>Builds the server; <paramref name="configure"/> may replace services (tests) before the build.</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // No reload-on-change of appsettings*.json: that watches the content root recursively, and the
        // default data directory (./data) lies under it, so every WAL flush woke the watcher (an inotify
        // read plus a stat per event). Nothing here reads options after start-up. A later
        // --hostBuilder:reloadConfigOnChange=true on the command line still wins.
        var builder = WebApplication.CreateBuilder(["--hostBuilder:reloadConfigOnChange=false", .. args]);
        builder.Logging.AddFilter("DotNext", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.AddRaftBurrowServer(builder.Configuration);
        var nodeOptions = builder.Configuration.GetSection(Section).Get<RaftNodeOptions>() ?? new RaftNodeOptions();
        builder.WebHost.UseUrls(nodeOptions.HttpUrl);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = InternalEndpoints.MaxBodyBytes);
        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapRaftBurrowServer();
        return app;
    }

    /// <summary>Registers the cluster, the <see cref="IQueueService"/> over it, and both REST APIs.</summary>
    public static IServiceCollection AddRaftBurrowServer(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        services.Configure<RaftNodeOptions>(section);
        services.Configure<ClusterOptions>(section);
        services.AddSingleton(TimeProvider.System);
        // A replicated setting: every node must use the same value (it decides what a post answers).
        var maxMessagesPerQueue = section.GetValue("MaxMessagesPerQueue", new QueueStateMachineOptions().MaxMessagesPerQueue);
        services.AddSingleton<Func<int, IReplicatedStateMachine>>(_ =>
            partition => new QueueStateMachine(new QueueStateMachineOptions { PartitionId = partition, MaxMessagesPerQueue = maxMessagesPerQueue }));
        services.AddSingleton<ClusterRouter>();
        services.AddHostedService(sp => sp.GetRequiredService<ClusterRouter>());
        services.AddHostedService<LeaderBalancer>();
        services.AddSingleton<LeadershipMover>();
        services.AddSingleton<MembershipCoordinator>();
        services.AddHostedService<MemberDirectorySync>();
        services.AddSingleton<IQueueService, ClusterQueueService>();
        services.AddZaqarApi(configuration);
        services.AddBurrowApi(configuration);
        services.AddRaftBurrowObservability();
        return services;
    }

    /// <summary>Maps the REST APIs, the internal forwarding endpoint, admin and health.</summary>
    public static WebApplication MapRaftBurrowServer(this WebApplication app)
    {
        // First, so the status it records is the one actually sent (after the 503 mapping below).
        app.UseRaftBurrowObservability();
        // A 503 for any request that found no leader in time, whichever front end raised it.
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context).ConfigureAwait(false);
            }
            catch (Exception e) when (e is ServiceUnavailableException or ClusterUnavailableException && !context.Response.HasStarted)
            {
                context.Response.Clear();
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                var retryAfter = context.RequestServices.GetRequiredService<ClusterRouter>().Options.RetryAfterSeconds;
                context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await context.Response.WriteAsJsonAsync(new { title = "Service unavailable", description = e.Message }).ConfigureAwait(false);
            }
        });
        app.MapAdmin();
        app.MapRaftBurrowObservability();
        app.MapDashboard();
        app.MapClusterInternal();
        app.MapLeadershipInternal();
        app.MapMembershipInternal();
        app.MapZaqarApi();
        app.MapBurrowApi();
        return app;
    }
}
