namespace RaftBurrow.Client.Tests.Support;

/// <summary>Client factory with short retry delays (tests wait for outcomes, never for time).</summary>
public static class Clients
{
    public static RaftBurrowClient For(params IEnumerable<string> urls) => new(Options(urls));

    public static RaftBurrowClientOptions Options(IEnumerable<string> urls, int retries = 4) => new RaftBurrowClientOptions
    {
        ProjectId = "tests",
        MaxRetries = retries,
        RetryDelay = TimeSpan.FromMilliseconds(1),
        MaxRetryDelay = TimeSpan.FromMilliseconds(5),
        RequestTimeout = TimeSpan.FromSeconds(30),
    }.AddUrls(urls);

    /// <summary>A loopback URL nothing listens on (bound then released, so connecting is refused).</summary>
    public static string ClosedPortUrl()
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        socket.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        return "http://127.0.0.1:" + ((System.Net.IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
