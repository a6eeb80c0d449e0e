using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.Api.Zaqar;

/// <summary>Subscriptions: list, POST, GET, PATCH, DELETE, PUT confirm.</summary>
internal static class SubscriptionsEndpoints
{
    private const int MinSubscriptionTtlSeconds = 60;
    private const int MaxSubscriptionBodyBytes = 64 * 1024;

    /// <summary>Maps the subscription routes under <c>/v2</c>.</summary>
    public static void MapSubscriptions(this IEndpointRouteBuilder v2)
    {
        v2.MapGet("/queues/{queue_name}/subscriptions", ZaqarEndpoint.Handle(ListAsync));
        v2.MapPost("/queues/{queue_name}/subscriptions", ZaqarEndpoint.Handle(CreateAsync));
        v2.MapGet("/queues/{queue_name}/subscriptions/{subscription_id}", ZaqarEndpoint.Handle(GetAsync));
        v2.MapMethods("/queues/{queue_name}/subscriptions/{subscription_id}", ["PATCH"], ZaqarEndpoint.Handle(UpdateAsync));
        v2.MapDelete("/queues/{queue_name}/subscriptions/{subscription_id}", ZaqarEndpoint.Handle(DeleteAsync));
        v2.MapPut("/queues/{queue_name}/subscriptions/{subscription_id}/confirm", ZaqarEndpoint.Handle(ConfirmAsync));
    }

    /// <summary>Writes a subscription as Zaqar shows it.</summary>
    internal static void WriteSubscription(Utf8JsonWriter w, SubscriptionView s, long nowMs)
    {
        w.WriteStartObject();
        w.WriteString("id", s.Id);
        w.WriteString("subscriber", s.Subscriber);
        w.WriteString("source", s.Queue);
        w.WriteNumber("ttl", s.TtlSeconds);
        w.WriteNumber("age", ZaqarJson.AgeSeconds(nowMs, s.CreatedMs));
        w.WriteBoolean("confirmed", s.Confirmed);
        w.WritePropertyName("options");
        if (s.OptionsJson.Length == 0)
        {
            w.WriteStartObject();
            w.WriteEndObject();
        }
        else
        {
            w.WriteRawValue(s.OptionsJson, skipInputValidation: true);
        }
        w.WriteEndObject();
    }

    /// <summary>GET /v2/queues/{q}/subscriptions[?marker=&amp;limit=].</summary>
    public static async Task<Results<JsonBody, ZaqarError>> ListAsync(ZaqarCall call)
    {
        if (call.TryGetInt("limit", out var limitParam) is { } limitError)
            return limitError;
        var max = call.Options.MaxSubscriptionsPerPage;
        if (limitParam is { } l && (l < 1 || l > max))
            return ZaqarError.BadRequest($"Limit must be at least 1 and may not be greater than {max}.");
        var marker = call.GetString("marker");
        var limit = limitParam ?? call.Options.DefaultSubscriptionsPerPage;
        var (subscriptions, nowMs) = await call.ReadAsync((q, now) => (q.ListSubscriptions(call.Project, call.Queue, marker, limit, now), now))
            .ConfigureAwait(false);
        string? next = null;
        if (subscriptions.Count > 0)
            next = call.Path + ZaqarJson.QueryString(("marker", subscriptions[^1].Id), ("limit", limitParam));
        return JsonBody.Create(200, (subscriptions, nowMs, next), static (w, s) =>
        {
            w.WriteStartObject();
            w.WriteStartArray("subscriptions");
            foreach (var sub in s.subscriptions)
                WriteSubscription(w, sub, s.nowMs);
            w.WriteEndArray();
            ZaqarJson.WriteLinks(w, s.next);
            w.WriteEndObject();
        });
    }

    /// <summary>POST /v2/queues/{q}/subscriptions → 201 {"subscription_id"}; the queue is created if needed.</summary>
    public static async Task<Results<JsonBody, ZaqarError>> CreateAsync(ZaqarCall call)
    {
        string subscriber;
        int ttl;
        byte[] options;
        using (var body = await call.ReadBodyAsync(MaxSubscriptionBodyBytes).ConfigureAwait(false))
        {
            if (body.IsTooLarge)
                return ZaqarError.BadBody("Request body is too large.");
            var parseError = ParseDocument(body, call.Options, creating: true, out var fields);
            if (parseError is not null)
                return parseError;
            subscriber = fields.Subscriber!;
            ttl = fields.TtlSeconds ?? call.Options.DefaultSubscriptionTtlSeconds;
            options = fields.OptionsJson ?? "{}"u8.ToArray();
        }
        var command = new CreateSubscription { Project = call.Project, Queue = call.Queue, Subscriber = subscriber, TtlSeconds = ttl, OptionsJson = options };
        var result = await call.ExecuteAsync(command).ConfigureAwait(false);
        if (result.Code == ResultCode.QueueNotFound)
        {
            // Zaqar creates the queue on subscribe; only when it is really absent (PUT would replace metadata).
            var exists = await call.ReadAsync((q, _) => q.GetQueue(call.Project, call.Queue) is not null).ConfigureAwait(false);
            if (!exists)
                await call.ExecuteAsync(new CreateQueue { Project = call.Project, Queue = call.Queue }).ConfigureAwait(false);
            result = await call.ExecuteAsync(command).ConfigureAwait(false);
        }
        if (result is CreatedIdResult { Code: ResultCode.Created or ResultCode.Ok } created)
            return Created(call, created.Id);
        if (result.Code == ResultCode.Conflict)
        {
            // An unconfirmed duplicate answers 201 with the existing id (Zaqar re-sends its confirmation).
            var existing = await FindBySubscriberAsync(call, subscriber).ConfigureAwait(false);
            if (existing is { Confirmed: false })
                return Created(call, existing.Id);
            return new ZaqarError(409, "Resource conflict",
                "Such subscription already exists.Subscriptions are unique by project + queue + subscriber URI.")
            {
                Headers = [new("Location", call.Path)],
            };
        }
        return ZaqarResultCodes.ToError(result.Code, call);
    }

    private static JsonBody Created(ZaqarCall call, string id) =>
        JsonBody.Create(201, id, static (w, id) =>
        {
            w.WriteStartObject();
            w.WriteString("subscription_id", id);
            w.WriteEndObject();
        }, call.Path);

    private static async Task<SubscriptionView?> FindBySubscriberAsync(ZaqarCall call, string subscriber)
    {
        string? marker = null;
        while (true)
        {
            var from = marker;
            var page = await call.ReadAsync((q, now) => q.ListSubscriptions(call.Project, call.Queue, from, 100, now)).ConfigureAwait(false);
            foreach (var s in page)
                if (s.Subscriber == subscriber)
                    return s;
            if (page.Count < 100)
                return null;
            marker = page[^1].Id;
        }
    }

    /// <summary>GET /v2/queues/{q}/subscriptions/{id}.</summary>
    public static async Task<Results<JsonBody, ZaqarError>> GetAsync(ZaqarCall call)
    {
        var id = call.Route("subscription_id");
        var (subscription, nowMs) = await call.ReadAsync((q, now) => (q.GetSubscription(call.Project, call.Queue, id, now), now)).ConfigureAwait(false);
        if (subscription is null)
            return NotFound(call, id);
        return JsonBody.Create(200, (subscription, nowMs), static (w, s) => WriteSubscription(w, s.subscription, s.nowMs));
    }

    private static ZaqarError NotFound(ZaqarCall call, string id) =>
        ZaqarError.NotFound($"Subscription {id} does not exist in queue {call.Queue} for project {call.Project}");

    /// <summary>PATCH /v2/queues/{q}/subscriptions/{id} with any of subscriber, ttl, options: 204.</summary>
    public static async Task<Results<EmptyStatus, ZaqarError>> UpdateAsync(ZaqarCall call)
    {
        Fields fields;
        using (var body = await call.ReadBodyAsync(MaxSubscriptionBodyBytes).ConfigureAwait(false))
        {
            if (body.IsTooLarge)
                return ZaqarError.BadBody("Request body is too large.");
            if (ParseDocument(body, call.Options, creating: false, out fields) is { } parseError)
                return parseError;
        }
        var id = call.Route("subscription_id");
        var result = await call.ExecuteAsync(new UpdateSubscription
        {
            Project = call.Project, Queue = call.Queue, SubscriptionId = id, Subscriber = fields.Subscriber, TtlSeconds = fields.TtlSeconds,
            OptionsJson = fields.OptionsJson,
        }).ConfigureAwait(false);
        return result.Code switch
        {
            ResultCode.Ok or ResultCode.NoContent => new EmptyStatus(204, call.Path),
            ResultCode.SubscriptionNotFound or ResultCode.QueueNotFound => NotFound(call, id),
            ResultCode.Conflict => ZaqarError.Conflict("Such subscription already exists. Subscriptions are unique by project + queue + subscriber URI."),
            _ => ZaqarResultCodes.ToError(result.Code, call),
        };
    }

    /// <summary>DELETE /v2/queues/{q}/subscriptions/{id}: 204.</summary>
    public static async Task<Results<EmptyStatus, ZaqarError>> DeleteAsync(ZaqarCall call)
    {
        var result = await call.ExecuteAsync(new DeleteSubscription { Project = call.Project, Queue = call.Queue, SubscriptionId = call.Route("subscription_id") })
            .ConfigureAwait(false);
        return result.Code is ResultCode.BadCommand ? ZaqarResultCodes.ToError(result.Code, call) : EmptyStatus.NoContent;
    }

    /// <summary>PUT /v2/queues/{q}/subscriptions/{id}/confirm with {"confirmed": bool}: 204.</summary>
    public static async Task<Results<EmptyStatus, ZaqarError>> ConfirmAsync(ZaqarCall call)
    {
        bool confirmed;
        using (var body = await call.ReadBodyAsync(4096).ConfigureAwait(false))
        {
            if (body.IsTooLarge)
                return ZaqarError.BadBody("Request body is too large.");
            try
            {
                using var document = body.IsEmpty ? JsonDocument.Parse("{}") : JsonDocument.Parse(body.Memory);
                if (document.RootElement.ValueKind != JsonValueKind.Object
                    || !document.RootElement.TryGetProperty("confirmed", out var value)
                    || value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                    return ZaqarError.BadRequest("The 'confirmed' should be boolean.");
                confirmed = value.GetBoolean();
            }
            catch (JsonException)
            {
                return ZaqarError.Malformed();
            }
        }
        var id = call.Route("subscription_id");
        var result = await call.ExecuteAsync(new ConfirmSubscription { Project = call.Project, Queue = call.Queue, SubscriptionId = id, Confirmed = confirmed })
            .ConfigureAwait(false);
        return result.Code switch
        {
            ResultCode.Ok or ResultCode.NoContent => new EmptyStatus(204, call.Path),
            ResultCode.SubscriptionNotFound or ResultCode.QueueNotFound => NotFound(call, id),
            _ => ZaqarResultCodes.ToError(result.Code, call),
        };
    }

    private readonly record struct Fields(string? Subscriber, int? TtlSeconds, byte[]? OptionsJson);

    /// <summary>Zaqar's subscription_posting / subscription_patching.</summary>
    private static ZaqarError? ParseDocument(RequestBody body, ZaqarOptions options, bool creating, out Fields fields)
    {
        fields = default;
        JsonDocument document;
        try
        {
            document = body.IsEmpty ? JsonDocument.Parse("{}") : JsonDocument.Parse(body.Memory);
        }
        catch (JsonException)
        {
            return ZaqarError.Malformed();
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return ZaqarError.BadRequest("Subscriptions must be a dict.");
            if (creating && !root.TryGetProperty("subscriber", out _))
                return ZaqarError.BadRequest("Missing parameter subscriber in body.");
            if (!root.EnumerateObject().Any())
                return ZaqarError.BadRequest("No subscription to create.");

            string? subscriber = null;
            if (root.TryGetProperty("subscriber", out var subscriberElement) && JsonFields.IsTruthy(subscriberElement))
            {
                if (subscriberElement.ValueKind != JsonValueKind.String)
                    return ZaqarError.BadRequest("The subscriber must be a string URI.");
                subscriber = subscriberElement.GetString()!;
                var colon = subscriber.IndexOf(':', StringComparison.Ordinal);
                var scheme = colon > 0 ? subscriber[..colon].ToLowerInvariant() : "";
                if (!options.SubscriberTypes.Contains(scheme))
                    return ZaqarError.BadRequest(
                        $"The subscriber type of subscription must be supported in the list [{string.Join(", ", options.SubscriberTypes.Select(t => "'" + t + "'"))}].");
                if (scheme is "http" or "https" && !Uri.TryCreate(subscriber, UriKind.Absolute, out _))
                    return ZaqarError.BadRequest("The subscriber must be a valid http(s) URI.");
            }
            else if (creating)
            {
                return ZaqarError.BadRequest("Missing parameter subscriber in body.");
            }

            byte[]? optionsJson = null;
            if (root.TryGetProperty("options", out var optionsElement) && optionsElement.ValueKind != JsonValueKind.Null)
            {
                if (JsonFields.IsTruthy(optionsElement) && optionsElement.ValueKind != JsonValueKind.Object)
                    return ZaqarError.BadRequest("Options must be a dict.");
                if (QueueMetadata.ValidateRetryPolicy(optionsElement) is { } policyError)
                    return ZaqarError.BadRequest(policyError);
                optionsJson = optionsElement.ValueKind == JsonValueKind.Object ? System.Text.Encoding.UTF8.GetBytes(optionsElement.GetRawText()) : "{}"u8.ToArray();
            }

            int? ttl = null;
            if (root.TryGetProperty("ttl", out var ttlElement) && JsonFields.IsTruthy(ttlElement))
            {
                if (ttlElement.ValueKind != JsonValueKind.Number || !ttlElement.TryGetInt64(out var ttlValue))
                    return ZaqarError.BadRequest("TTL must be an integer.");
                if (ttlValue < MinSubscriptionTtlSeconds)
                    return ZaqarError.BadRequest($"The TTL for a subscription must be at least {MinSubscriptionTtlSeconds} seconds long.");
                ttl = (int)Math.Min(ttlValue, int.MaxValue);
            }
            fields = new Fields(subscriber, ttl, optionsJson);
            return null;
        }
    }
}
