using System.Diagnostics;

namespace RaftBurrow.Jepsen.Cluster;

/// <summary>
/// One incarnation of a node's server process. It is started through /bin/sh, which first joins the
/// node's cgroup (when partitions are enabled) and then execs the server with stdout and stderr
/// appended to the node's log, so the pid we hold is the server's own and no pipe can fill up.
/// </summary>
public sealed class ServerProcess : IDisposable
{
    private const string Wrapper =
        "if [ -n \"$RBJ_CGROUP\" ]; then echo $$ > \"$RBJ_CGROUP/cgroup.procs\" || exit 97; fi; exec \"$@\" >>\"$RBJ_LOG\" 2>&1";

    private readonly Process _process;

    private ServerProcess(Process process) => _process = process;

    /// <summary>The server's pid.</summary>
    public int Pid => _process.Id;

    /// <summary>True until the process exits.</summary>
    public bool IsRunning
    {
        get
        {
            try
            {
                return !_process.HasExited;
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }
    }

    /// <summary>Exit code once exited.</summary>
    public int? ExitCode => IsRunning ? null : _process.ExitCode;

    /// <summary>Starts a server process.</summary>
    public static ServerProcess Start(ServerBinary binary, NodeSpec spec, IReadOnlyDictionary<string, string> env, string? cgroupDir)
    {
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = spec.DataDir };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(Wrapper);
        psi.ArgumentList.Add("raftburrow-n" + spec.Id);
        psi.ArgumentList.Add(binary.FileName);
        foreach (var a in binary.PrefixArgs)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (k, v) in env)
        {
            psi.Environment[k] = v;
        }

        psi.Environment["RBJ_LOG"] = spec.LogPath;
        psi.Environment["RBJ_CGROUP"] = cgroupDir ?? "";
        File.AppendAllText(spec.LogPath, $"==== jepsen-style: starting node {spec.Id} at {DateTimeOffset.UtcNow:O} (clock offset {env.GetValueOrDefault("RaftBurrow__FaultInjection__ClockOffsetMs", "0")} ms)\n");
        var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start node {spec.Id}");
        return new ServerProcess(p);
    }

    /// <summary>kill -9, then waits for the exit.</summary>
    public void KillHard()
    {
        if (!IsRunning)
        {
            return;
        }

        Signals.Send(Pid, Signals.Continue); // a stopped process dies on SIGKILL too, but be explicit
        Signals.Send(Pid, Signals.Kill);
        _process.WaitForExit(TimeSpan.FromSeconds(10));
    }

    /// <summary>SIGSTOP.</summary>
    public bool Pause() => IsRunning && Signals.Send(Pid, Signals.Stop);

    /// <summary>SIGCONT.</summary>
    public bool Resume() => IsRunning && Signals.Send(Pid, Signals.Continue);

    /// <inheritdoc/>
    public void Dispose()
    {
        KillHard();
        _process.Dispose();
    }
}
