using System.Globalization;

namespace RaftBurrow.Jepsen.Nemesis;

/// <summary>
/// The iptables argument lists the partition nemesis runs (pure, so tests can pin them). All rules
/// live in one chain of our own, hooked into OUTPUT: healing flushes it, teardown unhooks and deletes
/// it, so nothing outside the chain is ever touched.
/// </summary>
/// <remarks>
/// A rule matches the sending node by its cgroup (see <see cref="Cluster.CgroupJail"/>) and the
/// receiving node by its loopback address and listening ports. So "a cannot send to b" drops the
/// connections a opens to b and the requests a sends over them; replies b sends on connections that
/// b opened are not matched (loopback sources are all 127.0.0.1), which for TCP request/response
/// traffic still cuts the link in that direction.
/// </remarks>
public static class IptablesCommands
{
    /// <summary>Prefix of every chain the harness creates (cleanup finds leftovers by it).</summary>
    public const string ChainPrefix = "RBJEPSEN-";

    /// <summary>A chain name for a run (iptables allows at most 28 characters).</summary>
    public static string ChainName(string runId)
    {
        var clean = new string(runId.Where(char.IsAsciiLetterOrDigit).ToArray());
        var tail = clean.Length > 28 - ChainPrefix.Length ? clean[^(28 - ChainPrefix.Length)..] : clean;
        return ChainPrefix + tail;
    }

    /// <summary>Create the chain and hook it first into OUTPUT.</summary>
    public static IReadOnlyList<string[]> Setup(string chain) =>
    [
        ["-w", "-N", chain],
        ["-w", "-I", "OUTPUT", "1", "-j", chain],
    ];

    /// <summary>Rules dropping traffic from the node in cgroup <paramref name="fromCgroup"/> to a node's ports.</summary>
    public static IReadOnlyList<string[]> Drop(string chain, string fromCgroup, string toAddress, int lowPort, int highPort)
    {
        var range = lowPort.ToString(CultureInfo.InvariantCulture) + ":" + highPort.ToString(CultureInfo.InvariantCulture);
        return new[] { "tcp", "udp" }.Select(proto => new[]
        {
            "-w", "-A", chain, "-m", "cgroup", "--path", fromCgroup, "-d", toAddress + "/32", "-p", proto, "--dport", range, "-j", "DROP",
        }).ToList();
    }

    /// <summary>Remove every rule (heal) but keep the chain.</summary>
    public static IReadOnlyList<string[]> Flush(string chain) => [["-w", "-F", chain]];

    /// <summary>Unhook, flush and delete the chain.</summary>
    public static IReadOnlyList<string[]> Teardown(string chain) =>
    [
        ["-w", "-D", "OUTPUT", "-j", chain],
        ["-w", "-F", chain],
        ["-w", "-X", chain],
    ];

    /// <summary>Chains with our prefix in the output of `iptables -S` (leftovers of crashed runs).</summary>
    public static IReadOnlyList<string> OurChains(string iptablesS) =>
        iptablesS.Split('\n').Select(l => l.Trim().Split(' ')).Where(f => f.Length == 2 && f[0] == "-N" && f[1].StartsWith(ChainPrefix, StringComparison.Ordinal))
            .Select(f => f[1]).ToList();
}
