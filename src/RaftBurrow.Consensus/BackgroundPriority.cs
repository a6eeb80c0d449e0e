using System.Runtime.InteropServices;

namespace RaftBurrow.Consensus;

/// <summary>
/// Lowers the calling thread's CPU priority (Linux nice 10) for background work that must not
/// compete with request handling: writing a snapshot takes a core for seconds on a large state, and
/// on a busy 2-core machine that showed as request latency (docs/benchmarks.md). With nice 10 the
/// scheduler gives the thread about a tenth of a contended core, and all of an idle one. Linux only
/// (elsewhere, and if the call fails, nothing changes: the work still runs, at normal priority).
/// </summary>
internal static partial class BackgroundPriority
{
    private const int PrioProcess = 0; // PRIO_PROCESS with a thread id: that thread only, on Linux
    private const int Nice = 10;

    /// <summary>Lowers the current thread's priority; returns whether it was lowered.</summary>
    public static bool LowerCurrentThread()
    {
        if (!OperatingSystem.IsLinux())
            return false;
        try
        {
            return SetPriority(PrioProcess, GetTid(), Nice) == 0;
        }
        catch (EntryPointNotFoundException)
        {
            return false; // a libc without gettid(): keep the normal priority
        }
    }

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetTid();

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int priority);
}
