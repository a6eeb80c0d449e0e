using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace RaftBurrow.Api.Tests.Zaqar;

/// <summary>The background workers: webhook delivery to a real local HTTP listener, and the dead-letter mover.</summary>
public sealed class WorkersTests
{
    private static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for " + what);
            await Task.Delay(25);
        }
    }

    /// <summary>A loopback HTTP listener that records POST bodies; the first <paramref name="failFirst"/> answers are 500.</summary>
    private static async Task<(WebApplication App, string Url, ConcurrentQueue<(string Body, string? Header)> Received)> StartListenerAsync(int failFirst)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var received = new ConcurrentQueue<(string, string?)>();
        var calls = 0;
        app.MapPost("/hook", async (HttpContext ctx) =>
        {
            using var reader = new StreamReader(ctx.Request.Body);
            var body = await reader.ReadToEndAsync();
            if (Interlocked.Increment(ref calls) <= failFirst)
                return Results.StatusCode(500);
            received.Enqueue((body, ctx.Request.Headers["X-Test"].FirstOrDefault()));
            return Results.NoContent();
        });
        await app.StartAsync();
        return (app, app.Urls.First() + "/hook", received);
    }

    [Fact]
    public async Task Webhook_notifier_delivers_new_messages_in_order_with_retries()
    {
        var (listener, url, received) = await StartListenerAsync(failFirst: 2);
        await using var _ = listener;
        await using var host = await ZaqarTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Zaqar:EnableWebhookNotifier"] = "true",
            ["Zaqar:WebhookPollIntervalMs"] = "50",
            ["Zaqar:WebhookInitialBackoffMs"] = "10",
            ["Zaqar:WebhookMaxAttempts"] = "5",
        });
        var sub = await host.PostAsync("/v2/queues/hooked/subscriptions",
            "{\"subscriber\":\"" + url + "\",\"ttl\":3600,\"options\":{\"post_headers\":{\"X-Test\":\"yes\"}}}");
        Assert.Equal(HttpStatusCode.Created, sub.Status);
        await host.PostMessagesAsync("hooked", "{\"n\":1}", "{\"n\":2}", "{\"n\":3}");

        await Eventually(() => Task.FromResult(received.Count >= 3), "three deliveries");
        var bodies = received.Select(r => JsonDocument.Parse(r.Body).RootElement).ToList();
        Assert.Equal(new[] { 1, 2, 3 }, bodies.Take(3).Select(b => b.GetProperty("body").GetProperty("n").GetInt32()));
        Assert.All(bodies, b => Assert.Equal("hooked", b.GetProperty("queue_name").GetString()));
        Assert.All(received, r => Assert.Equal("yes", r.Header));
    }

    [Fact]
    public async Task With_required_confirmation_only_confirmed_subscriptions_are_notified()
    {
        var (listener, url, received) = await StartListenerAsync(failFirst: 0);
        await using var _ = listener;
        await using var host = await ZaqarTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Zaqar:EnableWebhookNotifier"] = "true",
            ["Zaqar:RequireSubscriptionConfirmation"] = "true",
            ["Zaqar:WebhookPollIntervalMs"] = "50",
        });
        var confirmed = (await host.PostAsync("/v2/queues/cq/subscriptions", "{\"subscriber\":\"" + url + "\",\"options\":{\"post_headers\":{\"X-Test\":\"a\"}}}"))
            .Json.GetProperty("subscription_id").GetString();
        var pending = (await host.PostAsync("/v2/queues/cq/subscriptions", "{\"subscriber\":\"" + url + "?b\",\"options\":{\"post_headers\":{\"X-Test\":\"b\"}}}"))
            .Json.GetProperty("subscription_id").GetString();
        Assert.Equal(HttpStatusCode.NoContent, (await host.PutAsync($"/v2/queues/cq/subscriptions/{confirmed}/confirm", "{\"confirmed\":true}")).Status);
        await host.PostMessagesAsync("cq", "1");

        await Eventually(() => Task.FromResult(received.Any(r => r.Header == "a")), "delivery to the confirmed subscriber");
        Assert.DoesNotContain(received, r => r.Header == "b");
        Assert.Equal(HttpStatusCode.NoContent, (await host.PutAsync($"/v2/queues/cq/subscriptions/{pending}/confirm", "{\"confirmed\":true}")).Status);
        await Eventually(() => Task.FromResult(received.Any(r => r.Header == "b")), "delivery after confirmation");
    }

    [Fact]
    public async Task Dead_letter_mover_moves_messages_past_max_claim_count_once()
    {
        await using var host = await ZaqarTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Zaqar:EnableDeadLetterMover"] = "true",
            ["Zaqar:DeadLetterPollIntervalMs"] = "50",
        });
        Assert.Equal(HttpStatusCode.Created, (await host.PutAsync("/v2/queues/work", "{\"_max_claim_count\":1,\"_dead_letter_queue\":\"dead\",\"_dead_letter_queue_messages_ttl\":600}")).Status);
        await host.PostMessagesAsync("work", "\"poison\"");
        var first = await host.PostAsync("/v2/queues/work/claims", "{}");
        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.Equal(HttpStatusCode.NoContent, (await host.DeleteAsync(first.Location!)).Status);
        // The second claim would exceed _max_claim_count: the message goes to the dead-letter queue instead.
        await host.PostAsync("/v2/queues/work/claims", "{}");

        await Eventually(async () =>
            (await host.GetAsync("/v2/queues/dead/stats")).Json.GetProperty("messages").GetProperty("total").GetInt32() == 1, "the dead letter");
        var dead = await host.SendAsync(HttpMethod.Get, "/v2/queues/dead/messages?echo=true");
        var message = Assert.Single(dead.Json.GetProperty("messages").EnumerateArray());
        Assert.Equal("poison", message.GetProperty("body").GetString());
        Assert.Equal(600, message.GetProperty("ttl").GetInt32());
        Assert.Equal(0, (await host.GetAsync("/v2/queues/work/stats")).Json.GetProperty("messages").GetProperty("total").GetInt32());
    }
}
