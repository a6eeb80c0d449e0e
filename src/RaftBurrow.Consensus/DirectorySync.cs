using System.Runtime.InteropServices;

namespace RaftBurrow.Consensus;

/// <summary>
/// Makes a rename or a new file in a directory durable: fsync on the directory itself. .NET has no
/// API for it (a directory cannot be opened as a FileStream), so on Linux this calls libc directly;
/// elsewhere it does nothing (the servers we ship and test run on Linux).
/// </summary>
internal static partial class DirectorySync
{
    private const int ReadOnly = 0; // O_RDONLY: enough to fsync a directory on Linux

    /// <summary>Flushes <paramref name="path"/>'s entries to disk.</summary>
    /// <exception cref="IOException">open or fsync failed (the errno is in the message).</exception>
    public static void Flush(string path)
    {
        if (!OperatingSystem.IsLinux())
            return;
        var fd = Open(path, ReadOnly);
        if (fd < 0)
            throw new IOException($"open({path}) for fsync failed: errno {Marshal.GetLastPInvokeError()}");
        try
        {
            if (Fsync(fd) != 0)
                throw new IOException($"fsync({path}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
