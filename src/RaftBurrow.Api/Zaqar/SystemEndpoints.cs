using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace RaftBurrow.Api.Zaqar;

/// <summary>Versions (GET /), the home document (GET /v2), ping and health.</summary>
internal static class SystemEndpoints
{
    private static readonly (string Rel, string Template, string[] Methods)[] HomeResources =
    [
        ("rel/queues", "/v2/queues{?marker,limit,detailed,with_count}", ["GET"]),
        ("rel/queue", "/v2/queues/{queue_name}", ["PUT", "GET", "PATCH", "DELETE"]),
        ("rel/queue_stats", "/v2/queues/{queue_name}/stats", ["GET"]),
        ("rel/queue_purge", "/v2/queues/{queue_name}/purge", ["POST"]),
        ("rel/queue_share", "/v2/queues/{queue_name}/share", ["POST"]),
        ("rel/messages", "/v2/queues/{queue_name}/messages{?marker,limit,echo,include_claimed,include_delayed,wait}", ["GET"]),
        ("rel/post_messages", "/v2/queues/{queue_name}/messages", ["POST"]),
        ("rel/messages_get_many", "/v2/queues/{queue_name}/messages{?ids}", ["GET"]),
        ("rel/messages_delete", "/v2/queues/{queue_name}/messages{?ids,pop}", ["DELETE"]),
        ("rel/message", "/v2/queues/{queue_name}/messages/{message_id}{?claim_id}", ["GET", "DELETE"]),
        ("rel/claim", "/v2/queues/{queue_name}/claims{?limit,wait}", ["POST"]),
        ("rel/claim_item", "/v2/queues/{queue_name}/claims/{claim_id}", ["GET", "PATCH", "DELETE"]),
        ("rel/subscriptions", "/v2/queues/{queue_name}/subscriptions{?marker,limit}", ["GET", "POST"]),
        ("rel/subscription", "/v2/queues/{queue_name}/subscriptions/{subscription_id}", ["GET", "PATCH", "DELETE"]),
        ("rel/subscription_confirm", "/v2/queues/{queue_name}/subscriptions/{subscription_id}/confirm", ["PUT"]),
        ("rel/ping", "/v2/ping", ["GET", "HEAD"]),
        ("rel/health", "/v2/health", ["GET"]),
    ];

    /// <summary>Maps <c>/</c> and the system routes under <c>/v2</c>.</summary>
    public static void MapSystem(this IEndpointRouteBuilder root, IEndpointRouteBuilder v2)
    {
        root.MapGet("/", ZaqarEndpoint.Handle(VersionsAsync));
        v2.MapGet("/", ZaqarEndpoint.Handle(HomeAsync));
        v2.MapMethods("/ping", ["GET", "HEAD"], ZaqarEndpoint.Handle(PingAsync));
        v2.MapGet("/health", ZaqarEndpoint.Handle(HealthAsync));
    }

    private static void WriteVersion(System.Text.Json.Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("id", "2");
        w.WriteString("status", "CURRENT");
        w.WriteString("updated", "2014-9-24T04:06:47Z");
        w.WriteStartArray("media-types");
        w.WriteStartObject();
        w.WriteString("base", "application/json");
        w.WriteString("type", "application/vnd.openstack.messaging-v2+json");
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteStartArray("links");
        w.WriteStartObject();
        w.WriteString("href", "/v2/");
        w.WriteString("rel", "self");
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>GET /: the API versions (300 Multiple Choices, as Zaqar answers).</summary>
    public static Task<JsonBody> VersionsAsync(ZaqarCall call) =>
        Task.FromResult(JsonBody.Create(300, 0, static (w, _) =>
        {
            w.WriteStartObject();
            w.WriteStartArray("versions");
            WriteVersion(w);
            w.WriteEndArray();
            w.WriteEndObject();
        }));

    /// <summary>GET /v2: a JSON home document of the v2 resources.</summary>
    public static Task<JsonBody> HomeAsync(ZaqarCall call) =>
        Task.FromResult(JsonBody.Create(200, 0, static (w, _) =>
        {
            w.WriteStartObject();
            w.WriteStartObject("resources");
            foreach (var (rel, template, methods) in HomeResources)
            {
                w.WriteStartObject(rel);
                w.WriteString("href-template", template);
                w.WriteStartObject("hints");
                w.WriteStartArray("allow");
                foreach (var m in methods)
                    w.WriteStringValue(m);
                w.WriteEndArray();
                w.WriteStartObject("formats");
                w.WriteStartObject("application/json");
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }));

    /// <summary>GET/HEAD /v2/ping: 204 while this node serves requests.</summary>
    public static Task<EmptyStatus> PingAsync(ZaqarCall call) => Task.FromResult(EmptyStatus.NoContent);

    /// <summary>GET /v2/health: detailed health, one entry per partition (readable through a linearizable read, led here).</summary>
    public static async Task<Results<JsonBody, ZaqarError>> HealthAsync(ZaqarCall call)
    {
        var service = call.Runtime.Service;
        var partitions = new (int Partition, bool Reachable, bool LocalLeader, double Seconds)[service.PartitionCount];
        var probes = new Task[partitions.Length];
        for (var p = 0; p < partitions.Length; p++)
        {
            var partition = p;
            probes[p] = Task.Run(async () =>
            {
                var started = call.Runtime.Time.GetTimestamp();
                var reachable = true;
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(call.Aborted);
                    timeout.CancelAfter(TimeSpan.FromSeconds(3));
                    await service.ReadAsync(partition, (_, _) => 0, timeout.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is ServiceUnavailableException or OperationCanceledException)
                {
                    reachable = false;
                }
                partitions[partition] = (partition, reachable, service.IsLocalLeader(partition), call.Runtime.Time.GetElapsedTime(started).TotalSeconds);
            });
        }
        await Task.WhenAll(probes).ConfigureAwait(false);
        return JsonBody.Create(200, partitions, static (w, parts) =>
        {
            w.WriteStartObject();
            w.WriteBoolean("catalog_reachable", true);
            w.WriteBoolean("storage_reachable", parts.All(p => p.Reachable));
            w.WriteStartObject("operation_status");
            w.WriteEndObject();
            w.WriteStartArray("partitions");
            foreach (var p in parts)
            {
                w.WriteStartObject();
                w.WriteNumber("partition", p.Partition);
                w.WriteBoolean("reachable", p.Reachable);
                w.WriteBoolean("local_leader", p.LocalLeader);
                w.WriteNumber("read_seconds", Math.Round(p.Seconds, 6));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }
}
