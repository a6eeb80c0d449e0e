using System.Net;
using System.Net.Sockets;

namespace RaftBurrow.Cluster.Tests.Support;

/// <summary>Finds free loopback ports: a contiguous block for a node's Raft groups, single ones for HTTP.</summary>
public static class FreePorts
{
    private static readonly object Gate = new();
    private static int _next = 20000 + (Environment.ProcessId % 200) * 100;

    /// <summary>A start port such that [start, start + count) is free on every given address.</summary>
    public static int Block(int count, params IPAddress[] addresses)
    {
        lock (Gate)
        {
            for (var attempt = 0; attempt < 500; attempt++)
            {
                var start = _next;
                _next += count + 1;
                if (_next > 60000)
                    _next = 20000;
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
