namespace RaftBurrow.Jepsen.Cluster;

/// <summary>
/// One cgroup v2 directory per node, so firewall rules can tell which node sent a packet. On
/// loopback every connection to 127.0.0.x leaves from 127.0.0.1 unless the program binds its
/// source, so addresses alone cannot name the sender; the cgroup of the sending socket can.
/// </summary>
public sealed class CgroupJail
{
    private readonly string _mount;

    private CgroupJail(string mount, string relativeRoot)
    {
        _mount = mount;
        RelativeRoot = relativeRoot;
    }

    /// <summary>Path of this run's cgroup below the cgroup2 mount (what iptables --path expects).</summary>
    public string RelativeRoot { get; }

    /// <summary>Finds the cgroup2 mount (from /proc/mounts); null when there is none.</summary>
    public static string? FindCgroup2Mount(string procMounts = "/proc/mounts")
    {
        if (!File.Exists(procMounts))
        {
            return null;
        }

        foreach (var line in File.ReadAllLines(procMounts))
        {
            var f = line.Split(' ');
            if (f.Length >= 3 && f[2] == "cgroup2")
            {
                return f[1];
            }
        }

        return null;
    }

    /// <summary>Creates this run's cgroups, or returns null with the reason when that is impossible.</summary>
    public static CgroupJail? Create(string runId, int nodes, out string? why)
    {
        why = null;
        var mount = FindCgroup2Mount();
        if (mount is null)
        {
            why = "no cgroup2 mount in /proc/mounts";
            return null;
        }

        var jail = new CgroupJail(mount, "raftburrow-jepsen-" + runId);
        try
        {
            for (var i = 1; i <= nodes; i++)
            {
                System.IO.Directory.CreateDirectory(jail.NodeDirectory(i));
            }

            return jail;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            why = $"cannot create cgroups under {mount}: {e.Message}";
            return null;
        }
    }

    /// <summary>Absolute directory of node <paramref name="id"/>'s cgroup.</summary>
    public string NodeDirectory(int id) => Path.Combine(_mount, RelativeRoot, "n" + id);

    /// <summary>Path of node <paramref name="id"/>'s cgroup relative to the mount.</summary>
    public string RelativePath(int id) => RelativeRoot + "/n" + id;

    /// <summary>Removes the (empty) cgroups; call after every node process has exited.</summary>
    public void Remove()
    {
        var root = Path.Combine(_mount, RelativeRoot);
        if (!System.IO.Directory.Exists(root))
        {
            return;
        }

        foreach (var dir in System.IO.Directory.GetDirectories(root))
        {
            TryRmdir(dir);
        }

        TryRmdir(root);
    }

    private static void TryRmdir(string dir)
    {
        try
        {
            // cgroup directories are removed with rmdir(2) even though they list control files.
            System.IO.Directory.Delete(dir, recursive: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"warning: could not remove cgroup {dir}: {e.Message}");
        }
    }
}
