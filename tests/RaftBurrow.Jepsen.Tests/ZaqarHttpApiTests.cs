using System.Net;
using System.Net.Sockets;
using System.Text;
using RaftBurrow.Jepsen.History;
using RaftBurrow.Jepsen.Zaqar;

namespace RaftBurrow.Jepsen.Tests;

/// <summary>
/// The HTTP client against a canned HTTP server (real sockets, no RaftBurrow): requests carry the
/// Zaqar headers, and outcomes are classified ok / fail / info as the checkers assume.
/// </summary>
public sealed class ZaqarHttpApiTests : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly int _port;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<HttpListenerRequest> _requests = [];
    private Func<HttpListenerRequest, (int Status, string Body, int DelayMs)> _respond = _ => (500, "", 0);

    public ZaqarHttpApiTests()
    {
        _port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{_port}/");
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext ctx;
            try
            {
                ctx = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }

            lock (_requests)
            {
                _requests.Add(ctx.Request);
            }

            var (status, body, delayMs) = _respond(ctx.Request);
            _ = Task.Run(async () =>
            {
                try
                {
                    if (delayMs > 0)
                    {
                        await Task.Delay(delayMs, _stop.Token);
                    }

                    ctx.Response.StatusCode = status;
                    var bytes = Encoding.UTF8.GetBytes(body);
                    await ctx.Response.OutputStream.WriteAsync(bytes);
                    ctx.Response.Close();
                }
                catch (Exception e) when (e is OperationCanceledException or HttpListenerException or ObjectDisposedException)
                {
                }
            });
        }
    }

    private ZaqarHttpApi Api(int timeoutMs = 2000) => new(_ => new Uri($"http://127.0.0.1:{_port}"), TimeSpan.FromMilliseconds(timeoutMs), Guid.Parse("11111111-2222-3333-4444-555555555555"));

    [Fact]
    public async Task A_201_enqueue_is_ok_and_carries_the_zaqar_headers()
    {
        _respond = _ => (201, """{"resources":["/v2/queues/q/messages/abc"]}""", 0);
        using var api = Api();
        var o = await api.EnqueueAsync(1, "q", "7", "key-1", CancellationToken.None);
        Assert.Equal(OpResult.Ok, o.Result);
        Assert.Equal(["abc"], o.CreatedIds);
        var req = _requests.Single();
        Assert.Equal("POST", req.HttpMethod);
        Assert.Equal("/v2/queues/q/messages", req.Url!.AbsolutePath);
        Assert.Equal("11111111-2222-3333-4444-555555555555", req.Headers["Client-ID"]);
        Assert.Equal("jepsen", req.Headers["X-Project-ID"]);
        Assert.Equal("key-1", req.Headers["Idempotency-Key"]);
    }

    [Fact]
    public async Task Server_errors_on_writes_are_indeterminate_and_client_errors_fail()
    {
        using var api = Api();
        _respond = _ => (503, """{"title":"no leader"}""", 0);
        Assert.Equal(OpResult.Info, (await api.EnqueueAsync(1, "q", "1", null, CancellationToken.None)).Result);
        _respond = _ => (400, """{"title":"bad"}""", 0);
        var bad = await api.ClaimAsync(1, "q", 5, 60, 60, CancellationToken.None);
        Assert.Equal(OpResult.Fail, bad.Result);
        Assert.Equal(400, bad.Status);
    }

    [Fact]
    public async Task A_timeout_is_indeterminate_never_failed()
    {
        _respond = _ => (201, """{"resources":[]}""", 3000);
        using var api = Api(timeoutMs: 300);
        var o = await api.EnqueueAsync(1, "q", "1", null, CancellationToken.None);
        Assert.Equal(OpResult.Info, o.Result);
        Assert.Equal("timeout", o.Error);
    }

    [Fact]
    public async Task A_write_the_server_received_before_dying_is_indeterminate_never_failed()
    {
        // The server answers the first request, then reads the second, dies without answering and
        // stops listening (kill -9). Had the second request ridden on the first one's kept-alive
        // connection, HttpClient would silently resend it on a new connection, get "connection
        // refused", and the harness would call a pop that may have happened a definite failure
        // (seen in a real run: an acknowledged message "lost" to such a pop).
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var served = 0;
        var server = Task.Run(async () =>
        {
            while (true)
            {
                using var client = await listener.AcceptTcpClientAsync();
                var stream = client.GetStream();
                while (await ReadRequestAsync(stream))
                {
                    if (++served == 2)
                    {
                        listener.Stop();
                        client.Client.Shutdown(SocketShutdown.Both); // FIN, as when the kernel closes a killed process's socket
                        client.Client.Close();
                        return;
                    }

                    var ok = "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n{\"resources\":[]}";
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(ok));
                }
            }
        });
        using var api = new ZaqarHttpApi(_ => new Uri($"http://127.0.0.1:{port}"), TimeSpan.FromSeconds(5), Guid.NewGuid());
        Assert.Equal(OpResult.Ok, (await api.EnqueueAsync(1, "q", "1", null, CancellationToken.None)).Result);
        var second = await api.PopAsync(1, "q", 1, CancellationToken.None);
        Assert.True(second.Result == OpResult.Info, $"{second.Result}: {second.Error}; served {served}");
        await server.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Reads one HTTP/1.1 request (headers and a Content-Length body); false at end of stream.</summary>
    private static async Task<bool> ReadRequestAsync(NetworkStream stream)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one) == 0)
            {
                return false;
            }

            head.Append((char)one[0]);
        }

        var length = head.ToString().Split("\r\n").Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && p[0].Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            .Select(p => int.Parse(p[1].Trim(), System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
        var body = new byte[length];
        var read = 0;
        while (read < length)
        {
            read += await stream.ReadAsync(body.AsMemory(read));
        }

        return true;
    }

    [Fact]
    public async Task A_refused_connection_is_a_definite_failure()
    {
        using var api = new ZaqarHttpApi(_ => new Uri($"http://127.0.0.1:{FreePort()}"), TimeSpan.FromSeconds(2), Guid.NewGuid());
        var o = await api.EnqueueAsync(1, "q", "1", null, CancellationToken.None);
        Assert.Equal(OpResult.Fail, o.Result);
    }

    [Fact]
    public async Task Claims_pops_and_paginated_reads_parse()
    {
        using var api = Api();
        _respond = r => r.HttpMethod switch
        {
            "POST" => (201, """[{"body":{"v":"1"},"href":"/v2/queues/q/messages/m1?claim_id=c1","ttl":60}]""", 0),
            "DELETE" when r.Url!.Query.Contains("pop=") => (200, """{"messages":[{"id":"m2","body":{"v":"2"}}]}""", 0),
            "GET" when !r.Url!.Query.Contains("marker") => (200, """{"messages":[{"id":"m3","body":{"v":"3"}}],"links":[{"rel":"next","href":"/v2/queues/q/messages?marker=1&include_claimed=true&echo=true"}]}""", 0),
            "GET" => (204, "", 0),
            _ => (204, "", 0),
        };
        var claim = await api.ClaimAsync(1, "q", 1, 60, 60, CancellationToken.None);
        Assert.Equal(("m1", "c1", "1"), (claim.Messages![0].Id, claim.Messages[0].ClaimId, claim.Messages[0].Value));
        Assert.Equal("limit=1", _requests.Last().Url!.Query.TrimStart('?'));
        var pop = await api.PopAsync(1, "q", 3, CancellationToken.None);
        Assert.Equal("2", pop.Messages!.Single().Value);
        var read = await api.ReadAllAsync(1, "q", CancellationToken.None);
        Assert.Equal(OpResult.Ok, read.Result);
        Assert.Equal("3", read.Messages!.Single().Value);
        Assert.Contains("include_claimed=true", _requests.First(r => r.HttpMethod == "GET").Url!.Query);
        Assert.Equal(OpResult.Ok, (await api.DeleteAsync(1, "q", "m1", "c1", CancellationToken.None)).Result);
        Assert.Equal("?claim_id=c1", _requests.Last().Url!.Query);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        _stop.Dispose();
    }
}
