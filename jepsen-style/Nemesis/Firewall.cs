using System.Diagnostics;
using RaftBurrow.Jepsen.Cluster;

namespace RaftBurrow.Jepsen.Nemesis;

/// <summary>Runs <see cref="IptablesCommands"/> for one run's chain; every call is logged to the run's firewall log.</summary>
public sealed class Firewall
{
    private readonly string _iptables;
    private readonly TextWriter _log;
    private readonly Lock _gate = new();
    private bool _created;

    /// <summary>Creates a firewall for <paramref name="chain"/>.</summary>
    public Firewall(string chain, string iptables, TextWriter log)
    {
        Chain = chain;
        _iptables = iptables;
        _log = log;
    }

    /// <summary>Our chain.</summary>
    public string Chain { get; }

    /// <summary>Creates and hooks the chain.</summary>
    public void Setup()
    {
        lock (_gate)
        {
            RunAll(IptablesCommands.Setup(Chain), mustSucceed: true);
            _created = true;
        }
    }

    /// <summary>Installs a grudge (after flushing any previous one).</summary>
    public void Apply(Grudge grudge, IClusterControl cluster)
    {
        lock (_gate)
        {
            RunAll(IptablesCommands.Flush(Chain), mustSucceed: true);
            foreach (var (from, to) in grudge.Drops)
            {
                var cg = cluster.CgroupPath(from) ?? throw new InvalidOperationException("partitions need per-node cgroups");
                var (lo, hi) = cluster.Specs[to - 1].PortRange(cluster.Partitions);
                RunAll(IptablesCommands.Drop(Chain, cg, cluster.Specs[to - 1].Address, lo, hi), mustSucceed: true);
            }
        }
    }

    /// <summary>Removes every rule.</summary>
    public void Heal()
    {
        lock (_gate)
        {
            if (_created)
            {
                RunAll(IptablesCommands.Flush(Chain), mustSucceed: false);
            }
        }
    }

    /// <summary>Unhooks and deletes the chain (idempotent).</summary>
    public void Teardown()
    {
        lock (_gate)
        {
            if (_created)
            {
                RunAll(IptablesCommands.Teardown(Chain), mustSucceed: false);
                _created = false;
            }
        }
    }

    /// <summary>Deletes leftover RBJEPSEN-* chains of earlier runs; returns their names.</summary>
    public static IReadOnlyList<string> CleanupLeftovers(string iptables, TextWriter log)
    {
        var (code, output) = Run(iptables, ["-w", "-S"]);
        if (code != 0)
        {
            log.WriteLine($"iptables -S failed ({code}): {output}");
            return [];
        }

        var chains = IptablesCommands.OurChains(output);
        foreach (var c in chains)
        {
            foreach (var args in IptablesCommands.Teardown(c))
            {
                var (rc, o) = Run(iptables, args);
                log.WriteLine($"iptables {string.Join(' ', args)} -> {rc} {o.Trim()}");
            }
        }

        return chains;
    }

    /// <summary>True when iptables can be run here (root and the binary present).</summary>
    public static bool Available(string iptables, out string why)
    {
        try
        {
            var (code, output) = Run(iptables, ["-w", "-S", "OUTPUT"]);
            why = code == 0 ? "" : $"iptables -S OUTPUT failed ({code}): {output.Trim()}";
            return code == 0;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            why = $"cannot run {iptables}: {e.Message}";
            return false;
        }
    }

    private void RunAll(IEnumerable<string[]> commands, bool mustSucceed)
    {
        foreach (var args in commands)
        {
            var (code, output) = Run(_iptables, args);
            _log.WriteLine($"{DateTimeOffset.UtcNow:O} iptables {string.Join(' ', args)} -> {code}{(output.Length > 0 ? " " + output.Trim() : "")}");
            _log.Flush();
            if (code != 0 && mustSucceed)
            {
                throw new InvalidOperationException($"iptables {string.Join(' ', args)} failed ({code}): {output.Trim()}");
            }
        }
    }

    private static (int Code, string Output) Run(string file, string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            p.Kill();
            return (-1, "timeout");
        }

        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}
