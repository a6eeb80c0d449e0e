using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace RaftBurrow.Api.Tests.Support;

/// <summary>
/// What the in-process API hosts share (<see cref="Zaqar.ZaqarTestHost"/>, <see cref="Burrow.Support.BurrowTestHost"/>):
/// a slim <see cref="WebApplication"/> over <see cref="LocalQueueService"/> (the real state machine, no Raft)
/// on a TestServer, or on real Kestrel at 127.0.0.1 on an ephemeral port for wire tests; a client for
/// it; an orderly stop. The subclasses add their API's endpoints and helpers.
/// </summary>
public abstract class InProcessApiHost : IAsyncDisposable
{
    private protected InProcessApiHost(WebApplication app, LocalQueueService service, HttpClient client, Uri baseAddress)
    {
        App = app;
        Service = service;
        Client = client;
        BaseAddress = baseAddress;
    }

    /// <summary>The running application.</summary>
    public WebApplication App { get; }

    /// <summary>The queue service behind the API.</summary>
    public LocalQueueService Service { get; }

    /// <summary>A client for the host (TestServer's handler, or plain HTTP to Kestrel).</summary>
    public HttpClient Client { get; }

    /// <summary>Where the host listens (Kestrel) or the TestServer's base.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The host's services.</summary>
    public IServiceProvider Services => App.Services;

    /// <summary>A slim builder without log providers, with <paramref name="settings"/>, on Kestrel (127.0.0.1, ephemeral port) or a TestServer.</summary>
    private protected static WebApplicationBuilder CreateBuilder(bool kestrel, IEnumerable<KeyValuePair<string, string?>>? settings)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(settings ?? []);
        if (kestrel)
            builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        else
            builder.WebHost.UseTestServer();
        return builder;
    }

    /// <summary>
    /// Starts <paramref name="app"/> and makes its client; <paramref name="wrapTestHandler"/> may put a
    /// handler in front of the TestServer's (Kestrel clients are plain).
    /// </summary>
    private protected static async Task<(HttpClient Client, Uri BaseAddress)> StartAsync(WebApplication app, bool kestrel,
        Func<HttpMessageHandler, HttpMessageHandler>? wrapTestHandler = null)
    {
        await app.StartAsync();
        if (kestrel)
        {
            var address = new Uri(app.Urls.First());
            return (new HttpClient { BaseAddress = address }, address);
        }
        var server = app.GetTestServer();
        var handler = server.CreateHandler();
        return (new HttpClient(wrapTestHandler is null ? handler : wrapTestHandler(handler)) { BaseAddress = server.BaseAddress }, server.BaseAddress);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
