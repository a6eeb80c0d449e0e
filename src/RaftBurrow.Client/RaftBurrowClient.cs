using RaftBurrow.Client.Admin;
using RaftBurrow.Client.Burrow;
using RaftBurrow.Client.Http;
using RaftBurrow.Client.Zaqar;

namespace RaftBurrow.Client;

/// <summary>
/// A client of a RaftBurrow cluster: the Zaqar v2 API (<see cref="Zaqar"/>), the Burrow v1.0 API
/// (<see cref="Burrow"/>) and the admin endpoints (<see cref="Admin"/>), over one pool of connections to
/// every node given in <see cref="RaftBurrowClientOptions.BaseUrls"/>.
/// </summary>
/// <remarks>
/// Thread-safe: create one per process (or per set of nodes) and share it; dispose it at the end.
/// Requests go to any node (round robin or first-preferred); a node that refuses connections is skipped
/// for a while, and transient failures (503 during an election, a failed forward, a dropped connection)
/// are retried on the next node when repeating is safe.
/// <code>
/// using var client = new RaftBurrowClient(new RaftBurrowClientOptions { ProjectId = "demo" }
///     .AddUrls("http://127.0.0.1:8888,http://127.0.0.2:8888"));
/// await client.Zaqar.PostMessageAsync("orders", NewMessage.FromJson("""{"id": 42}"""));
/// var claim = await client.Zaqar.ClaimMessagesAsync("orders", ttlSeconds: 60, graceSeconds: 60, limit: 10);
/// foreach (var m in claim?.Messages ?? [])
///     await client.Zaqar.DeleteMessageAsync("orders", m.MessageId, claim!.Id);
/// </code>
/// </remarks>
public sealed class RaftBurrowClient : IDisposable
{
    private readonly RaftBurrowTransport transport;

    /// <summary>Creates a client; validates <paramref name="options"/> (at least one URL).</summary>
    public RaftBurrowClient(RaftBurrowClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        transport = new RaftBurrowTransport(options);
        Zaqar = new ZaqarClient(transport);
        Burrow = new BurrowClient(transport);
        Admin = new AdminClient(transport);
    }

    /// <summary>Creates a client for one or more comma-separated URLs with default options.</summary>
    public RaftBurrowClient(string urls, string projectId = "default")
        : this(new RaftBurrowClientOptions { ProjectId = projectId }.AddUrls(urls))
    {
    }

    /// <summary>The Zaqar v2 API.</summary>
    public ZaqarClient Zaqar { get; }

    /// <summary>The Burrow v1.0 API.</summary>
    public BurrowClient Burrow { get; }

    /// <summary>The admin endpoints.</summary>
    public AdminClient Admin { get; }

    /// <summary>The nodes this client talks to (normalized base URLs).</summary>
    public IReadOnlyList<Uri> Nodes => transport.Nodes.Nodes;

    /// <summary>The project id sent as X-Project-ID.</summary>
    public string ProjectId => transport.ProjectId;

    /// <summary>The Client-ID sent with every request.</summary>
    public Guid ClientId => transport.ClientId;

    /// <summary>Closes pooled connections.</summary>
    public void Dispose() => transport.Dispose();
}
