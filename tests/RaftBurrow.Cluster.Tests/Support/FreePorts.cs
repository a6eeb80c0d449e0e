using System.Net;
using System.Net.Sockets;

namespace RaftBurrow.Cluster.Tests.Support;

/// <summary>Finds free loopback ports: a contiguous block for a node's Raft groups, single ones for HTTP.</summary>
public static class FreePorts
{
    private static readonly object Gate = new();
    // Below the kernel's ephemeral range (32768+), so outgoing connections never take a port we probed.
    private const int First = 20000;
    private const int Last = 32000;
    private static int _next = First + (Environment.ProcessId % 110) * 100;

    /// <summary>A start port such that [start, start + count) is free on every given address.</summary>
    public static int Block(int count, params IPAddress[] addresses)
    {
        lock (Gate)
        {
            for (var attempt = 0; attempt < 500; attempt++)
            {
                var start = _next;
                _next += count + 1;
                if (_next + count > Last)
                    _next = First;
                if (Enumerable.Range(start, count).All(port => addresses.All(a => IsFree(a, port))))
                    return start;
            }
        }
        throw new InvalidOperationException("No free port block found.");
    }

    private static bool IsFree(IPAddress address, int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(address, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
