using System.Runtime.InteropServices;

namespace RaftBurrow.Jepsen.Cluster;

/// <summary>POSIX signals to processes the harness started (by pid only).</summary>
internal static partial class Signals
{
    /// <summary>SIGKILL.</summary>
    public const int Kill = 9;
    /// <summary>SIGCONT (Linux).</summary>
    public const int Continue = 18;
    /// <summary>SIGSTOP (Linux).</summary>
    public const int Stop = 19;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SysKill(int pid, int sig);

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; false if the process is gone.</summary>
    public static bool Send(int pid, int signal) => SysKill(pid, signal) == 0;
}
