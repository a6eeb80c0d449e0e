using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RaftBurrow.Api;
using RaftBurrow.Api.Tests.Support;
using RaftBurrow.Api.Zaqar;

namespace RaftBurrow.Client.Tests.Support;

/// <summary>
/// The REAL Zaqar v2 endpoint map (src/RaftBurrow.Api) on Kestrel (127.0.0.1, ephemeral port) over
/// <see cref="LocalQueueService"/>: the real state machine in one process, no Raft.
/// </summary>
public sealed class RealZaqarHost : IAsyncDisposable
{
    private readonly WebApplication app;

    private RealZaqarHost(WebApplication app, string url)
    {
        this.app = app;
        Url = url;
    }

    public string Url { get; }

    public static async Task<RealZaqarHost> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Zaqar:EnableWebhookNotifier"] = "false",
            ["Zaqar:EnableDeadLetterMover"] = "false",
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IQueueService>(new LocalQueueService(4, TimeProvider.System));
        builder.Services.AddZaqarApi(builder.Configuration);
        var app = builder.Build();
        app.MapZaqarApi();
        await app.StartAsync();
        return new RealZaqarHost(app, app.Urls.First());
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
