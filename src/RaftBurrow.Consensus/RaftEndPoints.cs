using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace RaftBurrow.Consensus;

/// <summary>
/// Raft addresses as configured: an IP address or a DNS host name (docs/operations.md, "Host names").
/// A name becomes a <see cref="DnsEndPoint"/> in the Raft configuration: DotNext's TCP transport
/// resolves it on every connection attempt (<c>Socket.ConnectAsync</c>), and identifies members by
/// the name, not by what it resolves to, so a peer whose address changes (a rescheduled pod) stays
/// the same member. The own listening socket needs an IP: the name is resolved once at start.
/// </summary>
public static class RaftEndPoints
{
    /// <summary>Whether <paramref name="address"/> is an IP address or a syntactically valid DNS host name.</summary>
    public static bool IsValidAddress(string? address) =>
        !string.IsNullOrWhiteSpace(address)
        && (IPAddress.TryParse(address, out _) || Uri.CheckHostName(address) == UriHostNameType.Dns);

    /// <summary>
    /// The endpoint of <paramref name="address"/>:<paramref name="port"/>: an <see cref="IPEndPoint"/> for an IP
    /// address, else a <see cref="DnsEndPoint"/> of the lower-cased name (DotNext derives member ids from the
    /// name's exact characters, and host names are case-insensitive).
    /// </summary>
    /// <exception cref="FormatException">Neither an IP address nor a host name.</exception>
    public static EndPoint Create(string address, int port)
    {
        if (IPAddress.TryParse(address, out var ip))
            return new IPEndPoint(ip, port);
        if (!IsValidAddress(address))
            throw new FormatException($"'{address}' is neither an IP address nor a DNS host name.");
        return new DnsEndPoint(address.ToLowerInvariant(), port);
    }

    /// <summary>Parses <c>ip:port</c>, <c>[ipv6]:port</c> or <c>host:port</c> (the form <see cref="Format"/> writes).</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out EndPoint? endPoint)
    {
        endPoint = null;
        if (string.IsNullOrEmpty(text))
            return false;
        if (IPEndPoint.TryParse(text, out var ip))
        {
            // IPEndPoint.TryParse accepts a bare address (port 0): a Raft endpoint always has a port.
            if (ip.Port == 0)
                return false;
            endPoint = ip;
            return true;
        }
        var colon = text.LastIndexOf(':');
        if (colon <= 0
            || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || port is < 1 or > 65535)
        {
            return false;
        }
        var host = text[..colon];
        if (Uri.CheckHostName(host) != UriHostNameType.Dns)
            return false;
        endPoint = new DnsEndPoint(host.ToLowerInvariant(), port);
        return true;
    }

    /// <summary><c>ip:port</c> or <c>host:port</c> (<see cref="DnsEndPoint.ToString"/> prefixes the address family).</summary>
    public static string Format(EndPoint endPoint) => endPoint switch
    {
        DnsEndPoint dns => dns.Host + ":" + dns.Port.ToString(CultureInfo.InvariantCulture),
        _ => endPoint.ToString() ?? string.Empty,
    };

    /// <summary>Whether <paramref name="endPoint"/> is <paramref name="address"/>:<paramref name="port"/> (same IP, or same name ignoring case).</summary>
    public static bool Matches(EndPoint endPoint, string address, int port) => endPoint switch
    {
        IPEndPoint ip => ip.Port == port && IPAddress.TryParse(address, out var configured) && configured.Equals(ip.Address),
        DnsEndPoint dns => dns.Port == port && string.Equals(dns.Host, address, StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    /// <summary>
    /// The address to listen on for <paramref name="address"/>: itself when it is an IP, else the name
    /// resolved now (IPv4 preferred).
    /// </summary>
    /// <exception cref="InvalidOperationException">The name does not resolve (the message says which and why).</exception>
    public static IPAddress ResolveListenAddress(string address)
    {
        if (IPAddress.TryParse(address, out var ip))
            return ip;
        IPAddress[] addresses;
        try
        {
            addresses = Dns.GetHostAddresses(address);
        }
        catch (SocketException e)
        {
            throw new InvalidOperationException($"RaftAddress '{address}' (this node's Raft address) does not resolve: {e.Message}. Use a name this host resolves to one of its own addresses, or an IP address.", e);
        }
        return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
            ?? addresses.FirstOrDefault()
            ?? throw new InvalidOperationException($"RaftAddress '{address}' (this node's Raft address) resolves to no address.");
    }
}
