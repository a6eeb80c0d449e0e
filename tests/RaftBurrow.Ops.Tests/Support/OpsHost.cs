using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RaftBurrow.Api;
using RaftBurrow.Api.Dashboard;
using RaftBurrow.Api.Observability;
using RaftBurrow.Api.Tests.Support;
using RaftBurrow.Api.Zaqar;

namespace RaftBurrow.Ops.Tests.Support;

/// <summary>
/// A real Kestrel host on a free loopback port wired as the server will be: the Zaqar API over
/// <see cref="LocalQueueService"/>, observability (middleware first), /metrics, /readyz and /ui.
/// <c>/admin/cluster</c> is a stub the test supplies (the real one lives in the server).
/// </summary>
public sealed class OpsHost : IAsyncDisposable
{
    private OpsHost(WebApplication app, IQueueService service, LogCollector logs)
    {
        App = app;
        Service = service;
        Logs = logs;
        BaseUrl = app.Urls.First();
        Client = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
    }

    public WebApplication App { get; }
    public IQueueService Service { get; }
    public LogCollector Logs { get; }
    public string BaseUrl { get; }
    public HttpClient Client { get; }

    /// <summary>
    /// Starts a host; <paramref name="adminCluster"/> answers GET /admin/cluster when given;
    /// <paramref name="afterObservability"/> adds middleware/endpoints after the observability middleware, as the server does.
    /// </summary>
    public static async Task<OpsHost> StartAsync(
        Func<object>? adminCluster = null, IQueueService? service = null, Action<ObservabilityOptions>? observability = null,
        Action<WebApplication>? afterObservability = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        var logs = new LogCollector();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Logging.AddProvider(logs);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Zaqar:EnableWebhookNotifier"] = "false",
            ["Zaqar:EnableDeadLetterMover"] = "false",
        });
        service ??= new LocalQueueService(4);
        builder.Services.AddSingleton(service);
        builder.Services.AddZaqarApi(builder.Configuration);
        builder.Services.AddRaftBurrowObservability(observability);
        var app = builder.Build();
        app.UseRaftBurrowObservability();
        afterObservability?.Invoke(app);
        app.MapZaqarApi();
        app.MapRaftBurrowObservability();
        app.MapDashboard();
        if (adminCluster is not null)
            app.MapGet("/admin/cluster", () => Results.Json(adminCluster()));
        await app.StartAsync();
        return new OpsHost(app, service, logs);
    }

    /// <summary>A bare host that only answers GET /admin/cluster (a peer node in dashboard tests).</summary>
    public static async Task<WebApplication> StartPeerAsync(Func<object> adminCluster)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapGet("/admin/cluster", () => Results.Json(adminCluster()));
        await app.StartAsync();
        return app;
    }

    /// <summary>A loopback URL nothing listens on (bound, then released: a stand-in for a dead node).</summary>
    public static string DeadUrl()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}";
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
