using System.Net;
using System.Net.Sockets;

namespace RaftBurrow.Jepsen.Cluster;

/// <summary>Finds blocks of consecutive free TCP ports on a loopback address (probing by binding).</summary>
public static class PortAllocator
{
    /// <summary>
    /// Returns the first port of <paramref name="count"/> consecutive ports free on <paramref name="address"/>,
    /// chosen at random in 20000..59999 so parallel runs rarely collide (never the fixed 8888/9100).
    /// </summary>
    public static int FindFreeBlock(string address, int count, Random rng)
    {
        var ip = IPAddress.Parse(address);
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var start = rng.Next(20000, 60000 - count);
            if (Enumerable.Range(start, count).All(p => IsFree(ip, p)))
            {
                return start;
            }
        }

        throw new InvalidOperationException($"no block of {count} free ports on {address}");
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
