using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RaftBurrow.Client.Tests.Support;

/// <summary>
/// A FAKE server below the client edge: real Kestrel on 127.0.0.1 (ephemeral port) serving the few Zaqar v2,
/// Burrow v1.0 and /admin routes the client tests need, in Zaqar's wire format (api-ref samples), with an
/// in-memory single-lock store. Not RaftBurrow: no Raft, no partitions. It can inject faults: answer 503,
/// or act and then drop the connection before the answer (a lost response), to test retries and the
/// Idempotency-Key dedup. Every request is logged.
/// </summary>
public sealed class FakeZaqarServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly object gate = new();
    private readonly Dictionary<string, FakeQueue> queues = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonObject> idempotency = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedDictionary<string, string>> burrow = new(StringComparer.Ordinal);
    private long nextId;
    private int fail503;
    private int failWithoutRetryAfter;
    private int dropAfterProcessing;
    private int hold;
    private readonly TaskCompletionSource released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private FakeZaqarServer(WebApplication app) => this.app = app;

    /// <summary>Base URL, e.g. http://127.0.0.1:41234.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>Requests received (method, path+query, headers of interest).</summary>
    public ConcurrentQueue<LoggedRequest> Requests { get; } = new();

    /// <summary>What GET /admin/cluster answers (null = 404 with empty body).</summary>
    public Func<JsonObject?> Cluster { get; set; } = () => null;

    /// <summary>When true, the admin write routes exist and answer 200 {"ok": true}; otherwise 404 with no body.</summary>
    public bool AdminWritesImplemented { get; set; }

    /// <summary>Starts a server on an ephemeral loopback port.</summary>
    public static async Task<FakeZaqarServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new FakeZaqarServer(app);
        server.Map();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Url = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        return server;
    }

    /// <summary>The next <paramref name="count"/> requests get 503 (with Retry-After: 0 unless told otherwise).</summary>
    public void Fail503(int count, bool withRetryAfter = true)
    {
        Interlocked.Exchange(ref fail503, count);
        Interlocked.Exchange(ref failWithoutRetryAfter, withRetryAfter ? 0 : 1);
    }

    /// <summary>The next <paramref name="count"/> requests are processed, then their connection is dropped unanswered.</summary>
    public void DropAfterProcessing(int count) => Interlocked.Exchange(ref dropAfterProcessing, count);

    /// <summary>The next <paramref name="count"/> requests are held (unanswered) until <see cref="ReleaseHeld"/> or
    /// until the client gives up on them.</summary>
    public void HoldNext(int count) => Interlocked.Exchange(ref hold, count);

    /// <summary>Lets held requests go on.</summary>
    public void ReleaseHeld() => released.TrySetResult();

    /// <summary>Messages currently stored in a queue.</summary>
    public int MessageCount(string queue)
    {
        lock (gate)
        {
            return queues.TryGetValue(queue, out var q) ? q.Messages.Count : 0;
        }
    }

    /// <summary>Stops the server.</summary>
    public async ValueTask DisposeAsync()
    {
        ReleaseHeld();
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private void Map()
    {
        app.Use(async (ctx, next) =>
        {
            Requests.Enqueue(new LoggedRequest(ctx.Request.Method, ctx.Request.Path + ctx.Request.QueryString,
                ctx.Request.Headers["Idempotency-Key"].ToString(), ctx.Request.Headers["X-Project-ID"].ToString(), ctx.Request.Headers["Client-ID"].ToString()));
            if (Interlocked.Decrement(ref fail503) >= 0)
            {
                if (Volatile.Read(ref failWithoutRetryAfter) == 0)
                {
                    ctx.Response.Headers.RetryAfter = "0";
                }

                await Results.Json(new { title = "Service Unavailable", description = "no leader (fake)" }, statusCode: 503).ExecuteAsync(ctx);
                return;
            }

            if (Interlocked.Decrement(ref hold) >= 0)
            {
                try
                {
                    await released.Task.WaitAsync(ctx.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    return; // the client timed out and closed the connection
                }
            }

            if (Interlocked.Decrement(ref dropAfterProcessing) >= 0)
            {
                var original = ctx.Response.Body;
                ctx.Response.Body = new MemoryStream();
                await next(ctx);
                ctx.Abort(); // the work is done, the answer is lost
                ctx.Response.Body = original;
                return;
            }

            await next(ctx);
        });

        app.MapGet("/v2/ping", () => Results.NoContent());
        app.MapGet("/v2/health", () => Results.Json(new { catalog_reachable = true }));
        app.MapGet("/v2/queues", ListQueues);
        app.MapPut("/v2/queues/{q}", CreateQueue);
        app.MapGet("/v2/queues/{q}", (string q) => WithQueue(q, fq => Results.Text(fq.Metadata.ToJsonString(), "application/json")));
        app.MapDelete("/v2/queues/{q}", (string q) =>
        {
            lock (gate)
            {
                queues.Remove(q);
            }

            return Results.NoContent();
        });
        app.MapGet("/v2/queues/{q}/stats", Stats);
        app.MapPost("/v2/queues/{q}/purge", (string q) =>
        {
            lock (gate)
            {
                if (queues.TryGetValue(q, out var fq))
                {
                    fq.Messages.Clear();
                }
            }

            return Results.NoContent();
        });
        app.MapPost("/v2/queues/{q}/messages", PostMessages);
        app.MapGet("/v2/queues/{q}/messages", ListMessages);
        app.MapGet("/v2/queues/{q}/messages/{id}", (string q, string id) => WithQueue(q, fq =>
            fq.Messages.FirstOrDefault(m => m.Id == id) is { } m ? Results.Text(MessageJson(q, m, withId: true).ToJsonString(), "application/json") : NotFound("Message not found")));
        app.MapDelete("/v2/queues/{q}/messages/{id}", DeleteMessage);
        app.MapDelete("/v2/queues/{q}/messages", PopOrBulkDelete);
        app.MapPost("/v2/queues/{q}/claims", Claim);
        app.MapGet("/v2/queues/{q}/claims/{cid}", (string q, string cid) => WithQueue(q, fq =>
        {
            var held = fq.Messages.Where(m => m.ClaimId == cid).ToList();
            if (held.Count == 0)
            {
                return NotFound("Claim not found");
            }

            var doc = new JsonObject { ["age"] = 0, ["ttl"] = 60, ["href"] = $"/v2/queues/{q}/claims/{cid}", ["messages"] = new JsonArray(held.Select(m => (JsonNode)MessageJson(q, m, withId: false)).ToArray()) };
            return Results.Text(doc.ToJsonString(), "application/json");
        }));
        app.MapMethods("/v2/queues/{q}/claims/{cid}", ["PATCH"], (string q, string cid) => WithQueue(q, fq =>
            fq.Messages.Any(m => m.ClaimId == cid) ? Results.NoContent() : NotFound("Claim not found")));
        app.MapDelete("/v2/queues/{q}/claims/{cid}", (string q, string cid) => WithQueue(q, fq =>
        {
            foreach (var m in fq.Messages.Where(m => m.ClaimId == cid))
            {
                m.ClaimId = null;
            }

            return Results.NoContent();
        }));

        app.MapGet("/admin/cluster", () => Cluster() is { } doc ? Results.Text(doc.ToJsonString(), "application/json") : Results.StatusCode(404));
        app.MapPost("/admin/partitions/rebalance", () => AdminWrite());
        app.MapPost("/admin/partitions/{p}/transfer", (int p, int to) => AdminWrite(new JsonObject { ["partition"] = p, ["to"] = to }));
        app.MapPost("/admin/nodes", () => AdminWrite());
        app.MapDelete("/admin/nodes/{id}", (int id) => AdminWrite(new JsonObject { ["removed"] = id }));
        app.MapPost("/admin/snapshot", () => AdminWrite());

        app.MapPut("/v1.0/{a}/{q}/{m}", async (HttpContext ctx, string a, string q, string m) =>
        {
            using var reader = new StreamReader(ctx.Request.Body);
            var body = await reader.ReadToEndAsync();
            bool created;
            lock (gate)
            {
                var key = a + "/" + q;
                if (!burrow.TryGetValue(key, out var messages))
                {
                    burrow[key] = messages = new SortedDictionary<string, string>(StringComparer.Ordinal);
                }

                created = !messages.ContainsKey(m);
                messages[m] = body;
            }

            // Burrow's client needs Content-Length on empty successes; a replace is a 200 with no body.
            ctx.Response.StatusCode = created ? 201 : 200;
            ctx.Response.ContentLength = 0;
        });
        app.MapGet("/v1.0/{a}/{q}", (string a, string q) =>
        {
            lock (gate)
            {
                if (!burrow.TryGetValue(a + "/" + q, out var messages) || messages.Count == 0)
                {
                    return Results.Text("Queue not found", "application/octet-stream", statusCode: 404);
                }

                var items = new JsonArray(messages.Select(kv => (JsonNode)new JsonObject { ["id"] = kv.Key, ["ttl"] = 0, ["hide"] = 0, ["body"] = kv.Value }).ToArray());
                return Results.Text(items.ToJsonString(), "application/json");
            }
        });
        app.MapGet("/v1.0/{a}/{q}/{m}", (string a, string q, string m, string? detail) =>
        {
            lock (gate)
            {
                if (!burrow.TryGetValue(a + "/" + q, out var messages) || !messages.TryGetValue(m, out var body))
                {
                    return Results.Text("Message not found", "application/octet-stream", statusCode: 404);
                }

                return detail == "body"
                    ? Results.Text(body, "application/octet-stream")
                    : Results.Text(new JsonObject { ["id"] = m, ["ttl"] = 0, ["hide"] = 0, ["body"] = body }.ToJsonString(), "application/json");
            }
        });
        app.MapDelete("/v1.0/{a}/{q}/{m}", (HttpContext ctx, string a, string q, string m) =>
        {
            lock (gate)
            {
                if (!burrow.TryGetValue(a + "/" + q, out var messages) || !messages.Remove(m))
                {
                    return Results.Text("Message not found", "application/octet-stream", statusCode: 404);
                }
            }

            ctx.Response.ContentLength = 0;
            return Results.Ok();
        });
    }

    private IResult AdminWrite(JsonObject? body = null) =>
        AdminWritesImplemented ? Results.Text((body ?? new JsonObject { ["ok"] = true }).ToJsonString(), "application/json") : Results.StatusCode(404);

    private IResult ListQueues(int? limit, string? marker, bool? detailed)
    {
        lock (gate)
        {
            var names = queues.Keys.Order(StringComparer.Ordinal).Where(n => marker is null || string.CompareOrdinal(n, marker) > 0).Take(limit ?? 10).ToList();
            var list = new JsonArray(names.Select(n =>
            {
                var o = new JsonObject { ["name"] = n, ["href"] = "/v2/queues/" + n };
                if (detailed == true)
                {
                    o["metadata"] = queues[n].Metadata.DeepClone();
                }

                return (JsonNode)o;
            }).ToArray());
            var links = new JsonArray();
            if (names.Count > 0)
            {
                links.Add(new JsonObject { ["rel"] = "next", ["href"] = $"/v2/queues?marker={names[^1]}&limit={limit ?? 10}" });
            }

            return Results.Text(new JsonObject { ["queues"] = list, ["links"] = links }.ToJsonString(), "application/json");
        }
    }

    private async Task<IResult> CreateQueue(HttpContext ctx, string q)
    {
        using var reader = new StreamReader(ctx.Request.Body);
        var text = await reader.ReadToEndAsync();
        var meta = string.IsNullOrWhiteSpace(text) ? new JsonObject() : JsonNode.Parse(text) as JsonObject;
        if (meta is null)
        {
            return BadRequest("Metadata must be a JSON object.");
        }

        lock (gate)
        {
            var created = !queues.ContainsKey(q);
            queues.TryAdd(q, new FakeQueue());
            queues[q].Metadata = meta;
            return created ? Results.StatusCode(201) : Results.NoContent();
        }
    }

    private IResult Stats(string q)
    {
        lock (gate)
        {
            var msgs = queues.TryGetValue(q, out var fq) ? fq.Messages : [];
            var stats = new JsonObject
            {
                ["claimed"] = msgs.Count(m => m.ClaimId is not null),
                ["free"] = msgs.Count(m => m.ClaimId is null),
                ["total"] = msgs.Count,
            };
            if (msgs.Count > 0)
            {
                stats["oldest"] = new JsonObject { ["href"] = $"/v2/queues/{q}/messages/{msgs[0].Id}", ["age"] = 3, ["created"] = "2026-11-26T03:00:00Z" };
                stats["newest"] = new JsonObject { ["href"] = $"/v2/queues/{q}/messages/{msgs[^1].Id}", ["age"] = 1, ["created"] = "2026-11-26T03:00:02Z" };
            }

            return Results.Text(new JsonObject { ["messages"] = stats }.ToJsonString(), "application/json");
        }
    }

    private async Task<IResult> PostMessages(HttpContext ctx, string q)
    {
        JsonNode? doc;
        try
        {
            doc = await JsonNode.ParseAsync(ctx.Request.Body);
        }
        catch (JsonException)
        {
            return BadRequest("Invalid request body.");
        }

        if (doc?["messages"] is not JsonArray items || items.Count == 0)
        {
            return BadRequest("Missing \"messages\" list.");
        }

        var key = ctx.Request.Headers["Idempotency-Key"].ToString();
        lock (gate)
        {
            if (key.Length > 0 && idempotency.TryGetValue(q + "\n" + key, out var first))
            {
                return Results.Text(first.ToJsonString(), "application/json", statusCode: 201);
            }

            if (!queues.TryGetValue(q, out var fq))
            {
                queues[q] = fq = new FakeQueue(); // lazy creation, as Zaqar does
            }

            var hrefs = new JsonArray();
            foreach (var item in items)
            {
                var id = (++nextId).ToString("x24", CultureInfo.InvariantCulture);
                var ttl = item?["ttl"]?.GetValue<int>() ?? 3600;
                fq.Messages.Add(new FakeMessage(id, item?["body"]?.DeepClone(), ttl));
                hrefs.Add($"/v2/queues/{q}/messages/{id}");
            }

            var answer = new JsonObject { ["resources"] = hrefs };
            if (key.Length > 0)
            {
                idempotency[q + "\n" + key] = answer;
            }

            return Results.Text(answer.ToJsonString(), "application/json", statusCode: 201);
        }
    }

    private IResult ListMessages(string q, string? ids, int? limit, string? marker, bool? include_claimed)
    {
        lock (gate)
        {
            if (!queues.TryGetValue(q, out var fq))
            {
                return ids is null ? Results.Text("{\"messages\": [], \"links\": []}", "application/json") : NotFound("Queue not found");
            }

            IEnumerable<FakeMessage> selected;
            if (ids is not null)
            {
                var wanted = ids.Split(',').ToHashSet(StringComparer.Ordinal);
                selected = fq.Messages.Where(m => wanted.Contains(m.Id));
            }
            else
            {
                selected = fq.Messages.Where(m => (include_claimed == true || m.ClaimId is null) && (marker is null || string.CompareOrdinal(m.Id, marker) > 0)).Take(limit ?? 10);
            }

            var list = selected.ToList();
            var links = new JsonArray();
            if (list.Count > 0 && ids is null)
            {
                links.Add(new JsonObject { ["rel"] = "next", ["href"] = $"/v2/queues/{q}/messages?marker={list[^1].Id}" });
            }

            var doc = new JsonObject { ["messages"] = new JsonArray(list.Select(m => (JsonNode)MessageJson(q, m, withId: true)).ToArray()) };
            if (ids is null)
            {
                doc["links"] = links;
            }

            return Results.Text(doc.ToJsonString(), "application/json");
        }
    }

    private IResult DeleteMessage(string q, string id, string? claim_id)
    {
        lock (gate)
        {
            if (!queues.TryGetValue(q, out var fq) || fq.Messages.FirstOrDefault(m => m.Id == id) is not { } m)
            {
                return Results.NoContent();
            }

            if (m.ClaimId is not null && m.ClaimId != claim_id)
            {
                return Results.Json(new { title = "Unable to delete", description = "This message is claimed; it cannot be deleted without a valid claim ID." }, statusCode: 403);
            }

            fq.Messages.Remove(m);
            return Results.NoContent();
        }
    }

    private IResult PopOrBulkDelete(string q, int? pop, string? ids)
    {
        lock (gate)
        {
            if (!queues.TryGetValue(q, out var fq))
            {
                return pop is null ? Results.NoContent() : Results.Text("{\"messages\": []}", "application/json");
            }

            if (ids is not null)
            {
                var wanted = ids.Split(',').ToHashSet(StringComparer.Ordinal);
                fq.Messages.RemoveAll(m => wanted.Contains(m.Id));
                return Results.NoContent();
            }

            if (pop is not { } n || n < 1 || n > 20)
            {
                return BadRequest("pop must be 1..20");
            }

            var taken = fq.Messages.Where(m => m.ClaimId is null).Take(n).ToList();
            foreach (var m in taken)
            {
                fq.Messages.Remove(m);
            }

            var arr = new JsonArray(taken.Select(m => (JsonNode)new JsonObject { ["id"] = m.Id, ["age"] = 0, ["ttl"] = m.Ttl, ["claim_count"] = 1, ["body"] = m.Body?.DeepClone() }).ToArray());
            return Results.Text(new JsonObject { ["messages"] = arr }.ToJsonString(), "application/json");
        }
    }

    private async Task<IResult> Claim(HttpContext ctx, string q, int? limit)
    {
        var doc = await JsonNode.ParseAsync(ctx.Request.Body);
        if (doc?["ttl"] is null || doc["grace"] is null)
        {
            return BadRequest("ttl and grace are required.");
        }

        lock (gate)
        {
            if (!queues.TryGetValue(q, out var fq))
            {
                return Results.NoContent();
            }

            var taken = fq.Messages.Where(m => m.ClaimId is null).Take(limit ?? 10).ToList();
            if (taken.Count == 0)
            {
                return Results.NoContent();
            }

            var cid = (++nextId).ToString("x24", CultureInfo.InvariantCulture);
            foreach (var m in taken)
            {
                m.ClaimId = cid;
            }

            ctx.Response.Headers.Location = $"/v2/queues/{q}/claims/{cid}";
            var arr = new JsonArray(taken.Select(m => (JsonNode)MessageJson(q, m, withId: false)).ToArray());
            return Results.Text(new JsonObject { ["messages"] = arr }.ToJsonString(), "application/json", statusCode: 201);
        }
    }

    private IResult WithQueue(string q, Func<FakeQueue, IResult> body)
    {
        lock (gate)
        {
            return queues.TryGetValue(q, out var fq) ? body(fq) : NotFound("Queue not found");
        }
    }

    // Claimed messages carry ?claim_id= in their href (as Zaqar's claim answers do); the sample claim answer has no "id".
    private static JsonObject MessageJson(string q, FakeMessage m, bool withId)
    {
        var o = new JsonObject
        {
            ["body"] = m.Body?.DeepClone(),
            ["age"] = 1,
            ["href"] = $"/v2/queues/{q}/messages/{m.Id}" + (m.ClaimId is null ? "" : "?claim_id=" + m.ClaimId),
            ["ttl"] = m.Ttl,
            ["checksum"] = "MD5:00000000000000000000000000000000",
        };
        if (withId)
        {
            o["id"] = m.Id;
        }

        return o;
    }

    private static IResult NotFound(string description) => Results.Json(new { title = "Not found", description }, statusCode: 404);

    private static IResult BadRequest(string description) => Results.Json(new { title = "Invalid API request", description }, statusCode: 400);

    private sealed class FakeQueue
    {
        public JsonObject Metadata { get; set; } = new();

        public List<FakeMessage> Messages { get; } = [];
    }

    private sealed class FakeMessage(string id, JsonNode? body, int ttl)
    {
        public string Id { get; } = id;

        public JsonNode? Body { get; } = body;

        public int Ttl { get; } = ttl;

        public string? ClaimId { get; set; }
    }
}

/// <summary>One request as the fake server saw it.</summary>
public sealed record LoggedRequest(string Method, string PathAndQuery, string IdempotencyKey, string ProjectId, string ClientId);
