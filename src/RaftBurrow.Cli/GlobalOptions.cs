using System.CommandLine;

namespace RaftBurrow.Cli;

/// <summary>Options every command accepts (recursive on the root command). Names are part of the CLI contract.
/// One instance per command tree: System.CommandLine symbols belong to the tree they are added to.</summary>
public sealed class GlobalOptions
{
    /// <summary>Used when neither <c>--url</c> nor RAFTBURROW_URL is given.</summary>
    public const string DefaultUrl = "http://127.0.0.1:8888";

    /// <summary>Project used when <c>--project</c> is not given.</summary>
    public const string DefaultProject = "default";

    /// <summary><c>--url URL</c>: any node; repeatable or comma-separated.</summary>
    public readonly Option<string[]> Url = new("--url", "-u")
    {
        Description = "Node URL (any node; repeat or comma-separate for several). Default: $RAFTBURROW_URL or " + DefaultUrl,
        Recursive = true,
        Arity = ArgumentArity.OneOrMore,
    };

    /// <summary><c>--json</c>: machine-readable output.</summary>
    public readonly Option<bool> Json = new("--json")
    {
        Description = "Write JSON to stdout instead of tables",
        Recursive = true,
    };

    /// <summary><c>--project</c>: X-Project-ID.</summary>
    public readonly Option<string> Project = new("--project", "-p")
    {
        Description = "Zaqar project id (X-Project-ID)",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("RAFTBURROW_PROJECT") ?? DefaultProject,
    };

    /// <summary><c>--timeout</c> seconds per request attempt.</summary>
    public readonly Option<double> TimeoutSeconds = new("--timeout")
    {
        Description = "Seconds to wait for one request attempt",
        Recursive = true,
        DefaultValueFactory = _ => 10,
    };

    /// <summary><c>--retries</c> on transient failures.</summary>
    public readonly Option<int> Retries = new("--retries")
    {
        Description = "Retries of a request on 503 / connection failure / leader change (safe requests only)",
        Recursive = true,
        DefaultValueFactory = _ => 4,
    };

    /// <summary>Creates the options.</summary>
    public GlobalOptions()
    {
        TimeoutSeconds.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() <= 0)
            {
                r.AddError("--timeout must be positive");
            }
        });
        Retries.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 0)
            {
                r.AddError("--retries must be >= 0");
            }
        });
    }

    /// <summary>The URLs to use: the given ones split on commas, else $RAFTBURROW_URL, else the default.</summary>
    public static IReadOnlyList<string> ResolveUrls(string[]? given)
    {
        var list = (given ?? []).SelectMany(u => u.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        if (list.Count == 0)
        {
            var env = Environment.GetEnvironmentVariable("RAFTBURROW_URL");
            list.AddRange((env ?? DefaultUrl).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        return list;
    }
}
