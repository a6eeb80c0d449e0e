using System.Diagnostics;
using System.Text;

namespace RaftBurrow.Cluster.Tests.Support;

/// <summary>
/// Runs the Python compatibility scripts of tests/compat against running servers: finds the
/// interpreter, the script, runs it with a deadline (killed past it) and returns its exit code and output.
/// </summary>
public static class PythonScript
{
    private static readonly Lazy<string?> ZaqarPython = new(() => FindPython("import zaqarclient.queues.v2.client"));
    private static readonly Lazy<string?> PlainPython = new(() => FindPython("import http.client, unittest"));

    /// <summary>A python3 that imports zaqarclient (Debian's python3-zaqarclient lives only under /usr/bin/python3), or null.</summary>
    public static string? WithZaqarClient => ZaqarPython.Value;

    /// <summary>Any python3 with the standard library, or null.</summary>
    public static string? Plain => PlainPython.Value;

    private static string? FindPython(string probe)
    {
        foreach (var candidate in new[] { "/usr/bin/python3", "python3" })
        {
            try
            {
                using var process = Process.Start(new ProcessStartInfo(candidate, ["-c", probe])
                {
                    RedirectStandardError = true,
                    RedirectStandardOutput = true,
                });
                if (process is null)
                    continue;
                if (!process.WaitForExit(30_000))
                {
                    process.Kill();
                    continue;
                }
                if (process.ExitCode == 0)
                    return candidate;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // not installed under this name
            }
        }
        return null;
    }

    /// <summary>tests/compat/<paramref name="name"/>, found by walking up from the test binaries.</summary>
    public static string CompatScript(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "compat", name);
            if (File.Exists(candidate))
                return candidate;
        }
        throw new FileNotFoundException($"tests/compat/{name} not found above {AppContext.BaseDirectory}");
    }

    /// <summary>Runs <paramref name="python"/> with the arguments; the process is killed when <paramref name="timeout"/> passes.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string python, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(python, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        start.Environment["PYTHONUNBUFFERED"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            start.Environment[key] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException(python + " did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            var partial = new StringBuilder().Append(await stdout).Append(await stderr);
            throw new TimeoutException($"{string.Join(' ', arguments)} did not finish within {timeout.TotalSeconds:0}s:\n{partial}");
        }
        return (process.ExitCode, new StringBuilder().Append(await stdout).Append(await stderr).ToString());
    }
}
