using System.Diagnostics;

namespace RaftBurrow.Jepsen.Cluster;

/// <summary>How to start the `raftburrow` server: an apphost executable, or `dotnet x.dll`.</summary>
/// <param name="FileName">Program to execute.</param>
/// <param name="PrefixArgs">Arguments before the server's own (the dll path for dotnet).</param>
public sealed record ServerBinary(string FileName, IReadOnlyList<string> PrefixArgs)
{
    /// <summary>Resolves a user-given path: an executable, a .dll, or a directory holding raftburrow(.dll).</summary>
    public static ServerBinary FromPath(string path)
    {
        var full = Path.GetFullPath(path);
        if (System.IO.Directory.Exists(full))
        {
            var exe = Path.Combine(full, "raftburrow");
            var dll = Path.Combine(full, "raftburrow.dll");
            full = File.Exists(exe) ? exe : File.Exists(dll) ? dll : throw new FileNotFoundException($"no raftburrow or raftburrow.dll in {full}");
        }

        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"server binary {full} does not exist");
        }

        return full.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? new ServerBinary("dotnet", [full]) : new ServerBinary(full, []);
    }

    /// <summary>Finds the repository root (the directory holding RaftBurrow.sln) from <paramref name="start"/> upwards.</summary>
    public static string? FindRepoRoot(string start)
    {
        for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RaftBurrow.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    /// <summary>Runs `dotnet build -c Release src/RaftBurrow.Server` and returns the built server.</summary>
    public static ServerBinary Build(string repoRoot, TextWriter log)
    {
        var project = Path.Combine(repoRoot, "src", "RaftBurrow.Server", "RaftBurrow.Server.csproj");
        log.WriteLine($"building {project} (Release)...");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "build", "-c", "Release", "-nologo", "-v", "q", project })
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start dotnet build");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException("dotnet build took more than 10 minutes");
        }

        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet build failed ({p.ExitCode}):\n{stdout.Result}\n{stderr.Result}");
        }

        return FromPath(Path.Combine(repoRoot, "src", "RaftBurrow.Server", "bin", "Release", "net10.0"));
    }
}
