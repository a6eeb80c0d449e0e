using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RaftBurrow.StateMachine;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.Api.Zaqar;

/// <summary>
/// Delivers new messages to http(s) subscribers. A scan on every partition this node leads starts
/// one delivery loop per live subscription; each loop walks its queue with a marker, POSTs every
/// message created since the subscription to the subscriber (the message JSON plus
/// <c>queue_name</c>, or the <c>post_data</c> template of the options with <c>"$zaqar_message$"</c>
/// replaced, with <c>post_headers</c>), retrying 5xx and network failures with doubling backoff.
/// Delivery is at least once: a new leader starts again from the subscription's creation.
/// mailto subscribers are stored but not delivered to.
/// </summary>
internal sealed partial class WebhookNotifier : BackgroundService
{
    private const int PageSize = 20;

    private readonly IQueueService _service;
    private readonly ZaqarOptions _options;
    private readonly TimeProvider _time;
    private readonly IHttpClientFactory _clients;
    private readonly ILogger<WebhookNotifier> _logger;
    private readonly ConcurrentDictionary<string, Task> _loops = new(StringComparer.Ordinal);

    public WebhookNotifier(IQueueService service, ZaqarOptions options, TimeProvider time, IHttpClientFactory clients, ILogger<WebhookNotifier> logger)
    {
        _service = service;
        _options = options;
        _time = time;
        _clients = clients;
        _logger = logger;
    }

    private TimeSpan Poll => TimeSpan.FromMilliseconds(Math.Max(10, _options.WebhookPollIntervalMs));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            for (var p = 0; p < _service.PartitionCount; p++)
            {
                if (!_service.IsLocalLeader(p))
                    continue;
                try
                {
                    var partition = p;
                    var subscriptions = await _service.ReadAsync(p, (q, now) => q.AllSubscriptions(now), stoppingToken).ConfigureAwait(false);
                    foreach (var (project, subscription) in subscriptions)
                    {
                        if (!IsWebhook(subscription.Subscriber))
                            continue;
                        var key = project + "\n" + subscription.Queue + "\n" + subscription.Id;
                        if (_loops.TryGetValue(key, out var running) && !running.IsCompleted)
                            continue;
                        _loops[key] = Task.Run(() => RunSubscriptionAsync(partition, project, subscription, key, stoppingToken), stoppingToken);
                    }
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex)
                {
                    LogScanFailed(_logger, ex, p);
                }
            }
            try
            {
                await Task.Delay(Poll, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        await Task.WhenAll(_loops.Values).ConfigureAwait(false);
    }

    private static bool IsWebhook(string subscriber) =>
        subscriber.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || subscriber.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    /// <summary>One subscription's delivery loop; ends when the subscription goes away or this node stops leading.</summary>
    private async Task RunSubscriptionAsync(int partition, string project, SubscriptionView initial, string key, CancellationToken stop)
    {
        string? marker = null;
        try
        {
            while (!stop.IsCancellationRequested && _service.IsLocalLeader(partition))
            {
                var changed = _service.WaitForChangeAsync(partition, Poll, stop);
                var listing = new ListMessagesOptions { Marker = marker, Limit = PageSize, Echo = true, IncludeClaimed = true, IncludeDelayed = true };
                var (subscription, page, nowMs) = await _service.ReadAsync(partition,
                    (q, now) => (q.GetSubscription(project, initial.Queue, initial.Id, now), q.ListMessages(project, initial.Queue, listing, now), now),
                    stop).ConfigureAwait(false);
                if (subscription is null || !IsWebhook(subscription.Subscriber))
                    return;
                if (_options.RequireSubscriptionConfirmation && !subscription.Confirmed)
                {
                    await changed.ConfigureAwait(false);
                    continue;
                }
                if (page is { Messages.Count: > 0 })
                {
                    foreach (var message in page.Messages)
                        if (message.CreatedMs >= subscription.CreatedMs)
                            await DeliverAsync(subscription, message, nowMs, stop).ConfigureAwait(false);
                    marker = page.NextMarker ?? marker;
                    if (page.Messages.Count == PageSize)
                        continue;
                }
                await changed.ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            LogLoopFailed(_logger, ex, initial.Id);
        }
        finally
        {
            _loops.TryRemove(key, out _);
        }
    }

    /// <summary>POSTs one message, retrying 5xx and transport failures with doubling backoff.</summary>
    private async Task DeliverAsync(SubscriptionView subscription, MessageView message, long nowMs, CancellationToken stop)
    {
        var (payload, headers) = BuildRequest(subscription, message, nowMs);
        var backoff = TimeSpan.FromMilliseconds(Math.Max(1, _options.WebhookInitialBackoffMs));
        var maxBackoff = TimeSpan.FromMilliseconds(Math.Max(1, _options.WebhookMaxBackoffMs));
        var client = _clients.CreateClient(ZaqarApi.WebhookHttpClientName);
        for (var attempt = 1; ; attempt++)
        {
            string failure;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, subscription.Subscriber);
                request.Content = new ByteArrayContent(payload);
                request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                foreach (var (name, value) in headers)
                    if (!request.Headers.TryAddWithoutValidation(name, value))
                        request.Content.Headers.TryAddWithoutValidation(name, value);
                using var response = await client.SendAsync(request, stop).ConfigureAwait(false);
                // Zaqar treats anything below 500 as delivered (a 4xx will not get better by retrying).
                if ((int)response.StatusCode < 500)
                    return;
                failure = "HTTP " + (int)response.StatusCode;
            }
            catch (HttpRequestException ex)
            {
                failure = ex.Message;
            }
            catch (TaskCanceledException) when (!stop.IsCancellationRequested)
            {
                failure = "timeout";
            }
            if (attempt >= _options.WebhookMaxAttempts)
            {
                LogGaveUp(_logger, message.Id, subscription.Subscriber, attempt, failure);
                return;
            }
            LogRetry(_logger, message.Id, subscription.Subscriber, attempt, failure);
            await Task.Delay(backoff, _time, stop).ConfigureAwait(false);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, maxBackoff.Ticks));
        }
    }

    /// <summary>The POST body and extra headers for one message.</summary>
    internal static (byte[] Payload, List<(string Name, string Value)> Headers) BuildRequest(SubscriptionView subscription, MessageView message, long nowMs)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("id", message.Id);
            writer.WriteString("queue_name", subscription.Queue);
            writer.WritePropertyName("body");
            ZaqarJson.WriteRaw(writer, message.BodyJson);
            writer.WriteNumber("ttl", message.TtlSeconds);
            writer.WriteNumber("age", ZaqarJson.AgeSeconds(nowMs, message.CreatedMs));
            writer.WriteString("Message_Type", "Notification");
            writer.WriteEndObject();
        }
        var payload = buffer.ToArray();
        var headers = new List<(string, string)>();
        if (subscription.OptionsJson.Length > 0)
        {
            using var options = JsonDocument.Parse(subscription.OptionsJson);
            var root = options.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("post_headers", out var postHeaders) && postHeaders.ValueKind == JsonValueKind.Object)
                    foreach (var h in postHeaders.EnumerateObject())
                        headers.Add((h.Name, h.Value.ValueKind == JsonValueKind.String ? h.Value.GetString()! : h.Value.GetRawText()));
                if (root.TryGetProperty("post_data", out var postData) && postData.ValueKind == JsonValueKind.String)
                    payload = Encoding.UTF8.GetBytes(postData.GetString()!.Replace("\"$zaqar_message$\"", Encoding.UTF8.GetString(payload), StringComparison.Ordinal));
            }
        }
        return (payload, headers);
    }

    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning, Message = "Webhook scan of partition {Partition} failed")]
    private static partial void LogScanFailed(ILogger logger, Exception ex, int partition);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Warning, Message = "Webhook loop of subscription {SubscriptionId} failed")]
    private static partial void LogLoopFailed(ILogger logger, Exception ex, string subscriptionId);

    [LoggerMessage(EventId = 4203, Level = LogLevel.Information, Message = "Delivery of {MessageId} to {Subscriber} failed (attempt {Attempt}: {Failure}); retrying")]
    private static partial void LogRetry(ILogger logger, string messageId, string subscriber, int attempt, string failure);

    [LoggerMessage(EventId = 4204, Level = LogLevel.Warning, Message = "Gave up delivering {MessageId} to {Subscriber} after {Attempt} attempts ({Failure})")]
    private static partial void LogGaveUp(ILogger logger, string messageId, string subscriber, int attempt, string failure);
}
