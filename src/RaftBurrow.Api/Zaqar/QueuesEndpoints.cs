using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.Api.Zaqar;

/// <summary>Queues: list, PUT, GET, PATCH (json-patch), DELETE, stats, purge, share.</summary>
internal static class QueuesEndpoints
{
    private static readonly string[] ListParameters = ["marker", "limit", "detailed", "name", "with_count"];
    private static readonly string[] ShareKeys = ["methods", "expires", "paths"];
    private static readonly string[] SharePaths = ["messages", "subscriptions", "claims"];

    /// <summary>Maps the queue routes under <c>/v2</c>.</summary>
    public static void MapQueues(this IEndpointRouteBuilder v2)
    {
        v2.MapGet("/queues", ZaqarEndpoint.Handle(ListAsync));
        v2.MapPut("/queues/{queue_name}", ZaqarEndpoint.Handle(CreateAsync));
        v2.MapGet("/queues/{queue_name}", ZaqarEndpoint.Handle(GetAsync));
        v2.MapMethods("/queues/{queue_name}", ["PATCH"], ZaqarEndpoint.Handle(PatchAsync));
        v2.MapDelete("/queues/{queue_name}", ZaqarEndpoint.Handle(DeleteAsync));
        v2.MapGet("/queues/{queue_name}/stats", ZaqarEndpoint.Handle(StatsAsync));
        v2.MapPost("/queues/{queue_name}/purge", ZaqarEndpoint.Handle(PurgeAsync));
        v2.MapPost("/queues/{queue_name}/share", ZaqarEndpoint.Handle(ShareAsync));
    }

    /// <summary>
    /// GET /v2/queues: scatters to every partition, merges by name. Marker-correct: only names up to
    /// the smallest last name of any partition that returned a full batch are final in a round.
    /// </summary>
    public static async Task<Results<JsonBody, ZaqarError>> ListAsync(ZaqarCall call)
    {
        if (call.TryGetInt("limit", out var limitParam) is { } limitError)
            return limitError;
        if (call.TryGetBool("detailed", out var detailed) is { } detailedError)
            return detailedError;
        if (call.TryGetBool("with_count", out var withCount) is { } countError)
            return countError;
        var max = call.Options.MaxQueuesPerPage;
        if (limitParam is { } l && (l < 1 || l > max))
            return ZaqarError.BadRequest($"Limit must be at least 1 and no greater than {max}.");
        var limit = limitParam ?? call.Options.DefaultQueuesPerPage;
        var marker = call.GetString("marker");
        var name = call.GetString("name");
        var filters = new List<(string Key, string Value)>();
        foreach (var (key, value) in call.Http.Request.Query)
            if (!ListParameters.Contains(key) && !string.IsNullOrEmpty(value[^1]))
                filters.Add((key, value[^1]!));
        Func<QueueView, bool>? filter = name is null && filters.Count == 0 ? null : q => Matches(q, name, filters);

        var queues = await MergedListAsync(call, marker, limit, filter).ConfigureAwait(false);
        var count = 0;
        if (withCount == true)
            count = (await call.Runtime.Service.ReadAllAsync((q, _) => q.CountQueues(call.Project), call.Aborted).ConfigureAwait(false)).Sum();

        string? next = null;
        if (queues.Count > 0)
            next = call.Path + ZaqarJson.QueryString(("marker", queues[^1].Name), ("limit", limitParam), ("detailed", detailed), ("name", name),
                ("with_count", withCount));
        var path = call.Path.TrimEnd('/');
        var options = call.Options;
        return JsonBody.Create(200, (queues, path, detailed == true, count, next, options), static (w, s) =>
        {
            w.WriteStartObject();
            w.WriteStartArray("queues");
            foreach (var q in s.queues)
            {
                w.WriteStartObject();
                w.WriteString("name", q.Name);
                w.WriteString("href", s.path + "/" + q.Name);
                if (s.Item3)
                {
                    w.WritePropertyName("metadata");
                    QueueMetadata.WriteWithDefaults(w, q.MetadataJson, s.options);
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            ZaqarJson.WriteLinks(w, s.next);
            // Zaqar leaves the count out when it is zero.
            if (s.count > 0)
                w.WriteNumber("count", s.count);
            w.WriteEndObject();
        });
    }

    private static async Task<List<QueueView>> MergedListAsync(ZaqarCall call, string? marker, int limit, Func<QueueView, bool>? filter)
    {
        var result = new List<QueueView>(limit);
        var batch = filter is null ? limit : Math.Max(limit, 50);
        var cursor = marker;
        while (result.Count < limit)
        {
            var from = cursor;
            var answers = await call.Runtime.Service.ReadAllAsync((q, _) => q.ListQueues(call.Project, from, batch), call.Aborted).ConfigureAwait(false);
            string? boundary = null;
            foreach (var answer in answers)
                if (answer.Count >= batch && (boundary is null || string.CompareOrdinal(answer[^1].Name, boundary) < 0))
                    boundary = answer[^1].Name;
            var merged = answers.SelectMany(a => a)
                .Where(q => boundary is null || string.CompareOrdinal(q.Name, boundary) <= 0)
                .OrderBy(q => q.Name, StringComparer.Ordinal);
            foreach (var q in merged)
            {
                if (filter is not null && !filter(q))
                    continue;
                result.Add(q);
                if (result.Count == limit)
                    break;
            }
            if (boundary is null)
                break;
            cursor = boundary;
        }
        return result;
    }

    private static bool Matches(QueueView queue, string? name, List<(string Key, string Value)> filters)
    {
        if (name is not null && !queue.Name.Contains(name, StringComparison.Ordinal))
            return false;
        if (filters.Count == 0)
            return true;
        if (queue.MetadataJson.Length == 0)
            return false;
        using var document = JsonDocument.Parse(queue.MetadataJson);
        foreach (var (key, value) in filters)
        {
            if (!document.RootElement.TryGetProperty(key, out var actual))
                return false;
            var text = actual.ValueKind == JsonValueKind.String ? actual.GetString() : actual.GetRawText();
            if (text != value)
                return false;
        }
        return true;
    }

    /// <summary>PUT /v2/queues/{q}: 201 when created, 204 when it existed (metadata replaced).</summary>
    public static async Task<Results<EmptyStatus, ZaqarError>> CreateAsync(ZaqarCall call)
    {
        var max = call.Options.MaxQueueMetadataBytes;
        byte[] metadata;
        using (var body = await call.ReadBodyAsync(max).ConfigureAwait(false))
        {
            if (body.IsTooLarge)
                return ZaqarError.BadRequest($"Queue metadata is too large. Max size: {max}");
            if (ParseMetadata(body, call.Options, out metadata) is { } error)
                return error;
        }
        if (call.Options.MaxQueuesPerProject > 0)
        {
            var exists = await call.ReadAsync((q, _) => q.GetQueue(call.Project, call.Queue) is not null).ConfigureAwait(false);
            var total = exists ? 0 : (await call.Runtime.Service.ReadAllAsync((q, _) => q.CountQueues(call.Project), call.Aborted).ConfigureAwait(false)).Sum();
            if (!exists && total >= call.Options.MaxQueuesPerProject)
                return ZaqarResultCodes.ToError(ResultCode.QuotaExceeded, call);
        }
        var result = await call.ExecuteAsync(new CreateQueue { Project = call.Project, Queue = call.Queue, MetadataJson = metadata }).ConfigureAwait(false);
        return result.Code switch
        {
            ResultCode.Created => new EmptyStatus(201, call.Path),
            ResultCode.Ok or ResultCode.NoContent => new EmptyStatus(204, call.Path),
            _ => ZaqarResultCodes.ToError(result.Code, call),
        };
    }

    private static ZaqarError? ParseMetadata(RequestBody body, ZaqarOptions options, out byte[] metadata)
    {
        metadata = [];
        if (body.IsEmpty)
            return null;
        // The document is stored and served raw: it must be valid UTF-8 (the parser does not check inside strings).
        if (!System.Text.Unicode.Utf8.IsValid(body.Span))
            return ZaqarError.Malformed();
        try
        {
            using var document = JsonDocument.Parse(body.Memory);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                return ZaqarError.DocumentType();
            if (QueueMetadata.Validate(document.RootElement, options) is { } invalid)
                return ZaqarError.BadRequest(invalid);
            metadata = body.Span.ToArray();
            return null;
        }
        catch (JsonException)
        {
            return ZaqarError.Malformed();
        }
    }

    /// <summary>GET /v2/queues/{q}: the metadata, reserved keys filled with defaults.</summary>
    public static async Task<Results<JsonBody, ZaqarError>> GetAsync(ZaqarCall call)
    {
        var queue = await call.ReadAsync((q, _) => q.GetQueue(call.Project, call.Queue)).ConfigureAwait(false);
        if (queue is null)
            return ZaqarResultCodes.ToError(ResultCode.QueueNotFound, call);
        var options = call.Options;
        return JsonBody.Create(200, (queue, options), static (w, s) => QueueMetadata.WriteWithDefaults(w, s.queue.MetadataJson, s.options));
    }

    /// <summary>PATCH /v2/queues/{q} with <c>application/openstack-messaging-v2.0-json-patch</c>: 200 with the new metadata.</summary>
    public static async Task<Results<JsonBody, ZaqarError>> PatchAsync(ZaqarCall call)
    {
        var max = call.Options.MaxQueueMetadataBytes;
        if (call.Http.Request.ContentLength > max)
            return ZaqarError.BadBody($"Queue metadata is too large. Max size: {max}");
        var mediaType = (call.Http.Request.ContentType ?? "").Split(';')[0].Trim();
        if (!mediaType.Equals(QueueMetadata.PatchMediaType, StringComparison.OrdinalIgnoreCase))
            return new ZaqarError(415, "Unsupported media type", $"Accepted media type for PATCH: {QueueMetadata.PatchMediaType}.")
            {
                Headers = [new("Accept-Patch", QueueMetadata.PatchMediaType)],
            };
        MetadataPatchOp[] ops;
        using (var body = await call.ReadBodyAsync(max).ConfigureAwait(false))
        {
            if (body.IsTooLarge)
                return ZaqarError.BadBody($"Queue metadata is too large. Max size: {max}");
            if (body.IsEmpty)
                return ZaqarError.BadBody("PATCH body could not be empty for update.");
            JsonDocument changes;
            try
            {
                changes = JsonDocument.Parse(body.Memory);
            }
            catch (JsonException)
            {
                return ZaqarError.Malformed();
            }
            using (changes)
            {
                if (changes.RootElement.ValueKind != JsonValueKind.Array)
                    return ZaqarError.DocumentType();
                var queue = await call.ReadAsync((q, _) => q.GetQueue(call.Project, call.Queue)).ConfigureAwait(false);
                if (queue is null)
                    return ZaqarResultCodes.ToError(ResultCode.QueueNotFound, call);
                if (QueueMetadata.TryPlan(changes.RootElement, queue.MetadataJson, call.Options, out ops) is { } planError)
                    return planError;
            }
        }
        var result = await call.ExecuteAsync(new PatchQueueMetadata { Project = call.Project, Queue = call.Queue, Ops = ops }).ConfigureAwait(false);
        if (result is MetadataResult { Code: ResultCode.Ok or ResultCode.Created } patched)
        {
            var options = call.Options;
            return JsonBody.Create(200, (patched.MetadataJson, options), static (w, s) => QueueMetadata.WriteWithDefaults(w, s.MetadataJson, s.options));
        }
        return ZaqarResultCodes.ToError(result.Code, call);
    }

    /// <summary>DELETE /v2/queues/{q}: 204 (also when absent).</summary>
    public static async Task<Results<EmptyStatus, ZaqarError>> DeleteAsync(ZaqarCall call)
    {
        var result = await call.ExecuteAsync(new DeleteQueue { Project = call.Project, Queue = call.Queue }).ConfigureAwait(false);
        return result.Code is ResultCode.BadCommand ? ZaqarResultCodes.ToError(result.Code, call) : EmptyStatus.NoContent;
    }

    /// <summary>GET /v2/queues/{q}/stats (zeros for a missing queue, as Zaqar answers).</summary>
    public static async Task<Results<JsonBody, ZaqarError>> StatsAsync(ZaqarCall call)
    {
        var (stats, nowMs) = await call.ReadAsync((q, now) => (q.GetQueueStats(call.Project, call.Queue, now), now)).ConfigureAwait(false);
        var queueHref = MessagesEndpoints.QueueHref(call);
        return JsonBody.Create(200, (stats, nowMs, queueHref), static (w, s) =>
        {
            w.WriteStartObject();
            w.WriteStartObject("messages");
            w.WriteNumber("claimed", s.stats?.Claimed ?? 0);
            w.WriteNumber("free", s.stats?.Free ?? 0);
            w.WriteNumber("total", s.stats?.Total ?? 0);
            if (s.stats is { Total: > 0 })
            {
                WriteEnd(w, "oldest", s.stats.Oldest, s.nowMs, s.queueHref);
                WriteEnd(w, "newest", s.stats.Newest, s.nowMs, s.queueHref);
            }
            w.WriteEndObject();
            w.WriteEndObject();
        });

        static void WriteEnd(System.Text.Json.Utf8JsonWriter w, string name, MessageView? m, long nowMs, string queueHref)
        {
            if (m is null)
                return;
            w.WriteStartObject(name);
            w.WriteString("href", queueHref + "/messages/" + m.Id);
            w.WriteNumber("age", ZaqarJson.AgeSeconds(nowMs, m.CreatedMs));
            w.WriteString("created", ZaqarJson.IsoUtc(m.CreatedMs));
            w.WriteEndObject();
        }
    }

    /// <summary>POST /v2/queues/{q}/purge with optional {"resource_types": ["messages", "subscriptions"]}: 204.</summary>
    public static async Task<Results<EmptyStatus, ZaqarError>> PurgeAsync(ZaqarCall call)
    {
        bool messages = true, subscriptions = true;
        using (var body = await call.ReadBodyAsync(4096).ConfigureAwait(false))
        {
            if (body.IsTooLarge)
                return ZaqarError.BadBody("Request body is too large.");
            if (!body.IsEmpty)
            {
                try
                {
                    using var document = JsonDocument.Parse(body.Memory);
                    var root = document.RootElement;
                    if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("resource_types", out var types))
                        return ZaqarError.BadRequest("Post body must contain key \"resource_types\".");
                    if (types.ValueKind != JsonValueKind.Array
                        || types.EnumerateArray().Any(t => t.ValueKind != JsonValueKind.String || t.GetString() is not ("messages" or "subscriptions")))
                        return ZaqarError.BadRequest("Resource types must be a sub set of {'messages', 'subscriptions'}.");
                    messages = types.EnumerateArray().Any(t => t.GetString() == "messages");
                    subscriptions = types.EnumerateArray().Any(t => t.GetString() == "subscriptions");
                }
                catch (JsonException)
                {
                    return ZaqarError.Malformed();
                }
            }
        }
        var result = await call.ExecuteAsync(new PurgeQueue { Project = call.Project, Queue = call.Queue, Messages = messages, Subscriptions = subscriptions })
            .ConfigureAwait(false);
        return result.Code is ResultCode.BadCommand ? ZaqarResultCodes.ToError(result.Code, call) : EmptyStatus.NoContent;
    }

    /// <summary>POST /v2/queues/{q}/share: a pre-signed URL grant.</summary>
    public static async Task<Results<JsonBody, ZaqarError>> ShareAsync(ZaqarCall call)
    {
        using var body = await call.ReadBodyAsync(16 * 1024).ConfigureAwait(false);
        if (body.IsTooLarge)
            return ZaqarError.BadBody("Request body is too large.");
        if (body.IsEmpty)
            return ZaqarError.BadBody("Request body can not be empty");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.Memory);
        }
        catch (JsonException)
        {
            return ZaqarError.Malformed();
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return ZaqarError.DocumentType();
            var unknown = root.EnumerateObject().Select(p => p.Name).Where(n => !ShareKeys.Contains(n)).ToList();
            if (unknown.Count > 0)
                return ZaqarError.BadRequest($"Unknown keys: {{{string.Join(", ", unknown.Select(u => "'" + u + "'"))}}}");
            var queuePath = call.Path[..^"/share".Length];
            List<string> paths = [queuePath + "/messages"];
            if (root.TryGetProperty("paths", out var pathsElement) && JsonFields.IsTruthy(pathsElement))
            {
                if (pathsElement.ValueKind != JsonValueKind.Array || pathsElement.EnumerateArray().Any(p => p.ValueKind != JsonValueKind.String))
                    return ZaqarError.BadRequest("`paths` must be a non-empty list");
                var invalid = pathsElement.EnumerateArray().Select(p => p.GetString()!).Where(p => !SharePaths.Contains(p)).ToList();
                if (invalid.Count > 0)
                    return ZaqarError.BadRequest($"Invalid paths: {{{string.Join(", ", invalid.Select(u => "'" + u + "'"))}}}");
                paths = pathsElement.EnumerateArray().Select(p => queuePath + "/" + p.GetString()).Distinct().ToList();
            }
            List<string> methods = ["GET"];
            if (root.TryGetProperty("methods", out var methodsElement) && JsonFields.IsTruthy(methodsElement))
            {
                if (methodsElement.ValueKind != JsonValueKind.Array || methodsElement.EnumerateArray().Any(p => p.ValueKind != JsonValueKind.String))
                    return ZaqarError.BadRequest("`methods` should be a list");
                methods = methodsElement.EnumerateArray().Select(p => p.GetString()!).Distinct().ToList();
            }
            var now = call.Runtime.Time.GetUtcNow();
            var expires = now.AddDays(1);
            if (root.TryGetProperty("expires", out var expiresElement) && expiresElement.ValueKind != JsonValueKind.Null)
            {
                var text = expiresElement.ValueKind == JsonValueKind.String ? expiresElement.GetString()! : expiresElement.GetRawText();
                if (SignedUrls.TryParseExpires(text, out expires) is { } expiresError)
                    return ZaqarError.BadRequest(expiresError);
            }
            if (SignedUrls.TryCreate(call.Options.SignedUrlSecretKey, paths, call.Project, expires, methods, now, out var grant) is { } signError)
                return ZaqarError.BadRequest(signError);
            return JsonBody.Create(200, grant!, static (w, g) =>
            {
                w.WriteStartObject();
                w.WriteString("project", g.Project);
                w.WriteStartArray("paths");
                foreach (var p in g.Paths)
                    w.WriteStringValue(p);
                w.WriteEndArray();
                w.WriteString("expires", g.Expires);
                w.WriteStartArray("methods");
                foreach (var m in g.Methods)
                    w.WriteStringValue(m);
                w.WriteEndArray();
                w.WriteString("signature", g.Signature);
                w.WriteEndObject();
            });
        }
    }
}
