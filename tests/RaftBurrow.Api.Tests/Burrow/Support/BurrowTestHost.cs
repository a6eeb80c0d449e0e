using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RaftBurrow.Api.Burrow;
using RaftBurrow.Api.Tests.Support;
using RaftBurrow.StateMachine;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.Api.Tests.Burrow.Support;

/// <summary>
/// The Burrow API over <see cref="LocalQueueService"/> (the real state machine, no Raft): in a TestServer (default) or on
/// real Kestrel at 127.0.0.1 on an ephemeral port (wire tests: Kestrel's own header handling). Hosting: <see cref="InProcessApiHost"/>.
/// </summary>
public sealed class BurrowTestHost : InProcessApiHost
{
    private BurrowTestHost(WebApplication app, LocalQueueService service, HttpClient client, Uri baseAddress, FakeTimeProvider? time)
        : base(app, service, client, baseAddress)
    {
        Time = time;
    }

    /// <summary>Requests parked in a long poll right now.</summary>
    public int Parked => Services.GetRequiredService<BurrowWaiterGate>().Parked;

    /// <summary>Polls (no sleeps asserted) until <paramref name="count"/> requests are parked; fails after 10 s.</summary>
    public async Task WaitUntilParkedAsync(int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Parked < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"only {Parked} of {count} requests parked");
            await Task.Delay(5);
        }
    }

    /// <summary>The fake clock, when the host was started with one.</summary>
    public FakeTimeProvider? Time { get; }

    /// <summary>Starts a host. <paramref name="fakeTime"/> gives it a FakeTimeProvider (see <see cref="Time"/>).</summary>
    public static async Task<BurrowTestHost> StartAsync(
        bool kestrel = false,
        bool fakeTime = false,
        IDictionary<string, string?>? settings = null,
        int partitions = 4,
        LocalQueueService? sharedService = null,
        Func<IQueueService, IQueueService>? decorate = null)
    {
        var time = fakeTime ? new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000)) : null;
        // A shared service stands for one replicated state behind several nodes' front ends.
        var service = sharedService ?? new LocalQueueService(partitions, time);

        var builder = CreateBuilder(kestrel, settings);
        builder.Services.AddSingleton(decorate is null ? service : decorate(service));
        builder.Services.AddBurrowApi(builder.Configuration);
        var app = builder.Build();
        if (!kestrel)
        {
            // TestServer leaves IHttpRequestFeature.RawTarget empty; Kestrel sets it to the target as
            // sent, which is what the Burrow path matcher reads. Carry it over from the client.
            app.Use((context, next) =>
            {
                if (context.Request.Headers.TryGetValue(RawTargetHandler.Header, out var raw))
                    context.Features.Get<IHttpRequestFeature>()!.RawTarget = raw.ToString();
                return next(context);
            });
        }

        app.MapBurrowApi();
        var (client, baseAddress) = await StartAsync(app, kestrel, handler => new RawTargetHandler { InnerHandler = handler });
        return new BurrowTestHost(app, service, client, baseAddress, time);
    }

    /// <summary>Runs the expiry pulse on every partition (after moving fake time).</summary>
    public void Expire() => Service.Expire();

    /// <summary>Moves the fake clock and runs the expiry pulse.</summary>
    public void Advance(TimeSpan by)
    {
        Time!.Advance(by);
        Expire();
    }
}

/// <summary>Sends the request target as written (what Kestrel would expose as RawTarget) in a test header.</summary>
internal sealed class RawTargetHandler : DelegatingHandler
{
    public const string Header = "X-Test-Raw-Target";

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.TryAddWithoutValidation(Header, request.RequestUri!.PathAndQuery);
        return base.SendAsync(request, cancellationToken);
    }
}
