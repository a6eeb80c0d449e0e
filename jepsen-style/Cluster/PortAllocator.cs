using System.Net;
using System.Net.Sockets;

namespace RaftBurrow.Jepsen.Cluster;

/// <summary>Finds blocks of consecutive free TCP ports on a loopback address (probing by binding).</summary>
public static class PortAllocator
{
    /// <summary>
    /// Returns the first port of <paramref name="count"/> consecutive ports free on <paramref name="address"/>,
    /// chosen at random below the kernel's ephemeral range (so a restarted node never finds its port
    /// taken by some connection's source port) and above 10000 (never the fixed 8888/9100).
    /// </summary>
    public static int FindFreeBlock(string address, int count, Random rng)
    {
        var ip = IPAddress.Parse(address);
        var (low, high) = ListenRange();
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var start = rng.Next(low, high - count);
            if (Enumerable.Range(start, count).All(p => IsFree(ip, p)))
            {
                return start;
            }
        }

        throw new InvalidOperationException($"no block of {count} free ports on {address}");
    }

    /// <summary>
    /// Ports to listen on: 10000 up to the start of the ephemeral range (default 32768–60999), or
    /// above it when it starts low; the whole upper range when it covers everything.
    /// </summary>
    internal static (int Low, int High) ListenRange(string path = "/proc/sys/net/ipv4/ip_local_port_range")
    {
        var (ephemeralLow, ephemeralHigh) = (32768, 60999);
        try
        {
            var f = File.ReadAllText(path).Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            if (f.Length >= 2 && int.TryParse(f[0], System.Globalization.CultureInfo.InvariantCulture, out var lo)
                && int.TryParse(f[1], System.Globalization.CultureInfo.InvariantCulture, out var hi))
            {
                (ephemeralLow, ephemeralHigh) = (lo, hi);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not Linux, or hidden: keep the Linux default.
        }

        return ephemeralLow > 12000 ? (10000, ephemeralLow) : ephemeralHigh < 63000 ? (ephemeralHigh + 1, 65535) : (10000, 65535);
    }

    private static bool IsFree(IPAddress ip, int port)
    {
        try
        {
            var l = new TcpListener(ip, port);
            l.Start();
            l.Stop();
            using var u = new UdpClient(new IPEndPoint(ip, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
