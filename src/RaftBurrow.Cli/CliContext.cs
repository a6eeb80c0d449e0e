using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using RaftBurrow.Client;

namespace RaftBurrow.Cli;

/// <summary>What a command's action gets: parsed global options, the output writers, and a client built on demand.</summary>
public sealed class CliContext : IDisposable
{
    /// <summary>JSON settings of <c>--json</c> output: snake_case, indented, nulls omitted.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // output for terminals and scripts, not HTML
    };

    private RaftBurrowClient? client;

    internal CliContext(GlobalOptions globals, ParseResult parse, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        Globals = globals;
        Parse = parse;
        Output = output;
        Error = error;
        CancellationToken = cancellationToken;
        Json = parse.GetValue(globals.Json);
        Urls = GlobalOptions.ResolveUrls(parse.GetValue(globals.Url));
        ProjectId = parse.GetValue(globals.Project) ?? GlobalOptions.DefaultProject;
        TimeoutSeconds = parse.GetValue(globals.TimeoutSeconds);
        Retries = parse.GetValue(globals.Retries);
    }

    /// <summary>The global options of this command tree.</summary>
    public GlobalOptions Globals { get; }

    /// <summary>The parse result (command-specific options).</summary>
    public ParseResult Parse { get; }

    /// <summary>Standard output.</summary>
    public TextWriter Output { get; }

    /// <summary>Standard error (progress, diagnostics).</summary>
    public TextWriter Error { get; }

    /// <summary>Cancelled on Ctrl+C.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary><c>--json</c>: machine-readable output on stdout.</summary>
    public bool Json { get; }

    /// <summary>Every node URL given (<c>--url</c>, repeatable or comma-separated), or the default.</summary>
    public IReadOnlyList<string> Urls { get; }

    /// <summary><c>--project</c>.</summary>
    public string ProjectId { get; }

    /// <summary><c>--timeout</c> in seconds.</summary>
    public double TimeoutSeconds { get; }

    /// <summary><c>--retries</c>.</summary>
    public int Retries { get; }

    /// <summary>A client over every URL (created on first use).</summary>
    public RaftBurrowClient Client => client ??= new RaftBurrowClient(ClientOptions(Urls));

    /// <summary>Client options from the global options, for the given URLs.</summary>
    public RaftBurrowClientOptions ClientOptions(IEnumerable<string> urls)
    {
        var options = new RaftBurrowClientOptions
        {
            ProjectId = ProjectId,
            RequestTimeout = TimeSpan.FromSeconds(TimeoutSeconds),
            MaxRetries = Retries,
        }.AddUrls(urls);
        return options;
    }

    /// <summary>Writes <paramref name="value"/> as JSON on stdout.</summary>
    public void WriteJson<T>(T value) => Output.WriteLine(JsonSerializer.Serialize(value, JsonOptions));

    /// <summary>Writes a line on stdout.</summary>
    public void WriteLine(string text) => Output.WriteLine(text);

    /// <summary>Reports a failed request (stderr, or a JSON error document on stdout with <c>--json</c>) and
    /// returns the exit code: 3 when the server lacks the endpoint, else 1.</summary>
    public int Fail(RaftBurrowApiException ex, string? what = null)
    {
        var missing = ex.IsRouteMissing;
        var message = missing
            ? $"this server does not implement {ex.Method} {ex.RequestUri?.AbsolutePath} (404 with no body): {what ?? "the endpoint"} is not available in this server version"
            : ex.Message;
        if (Json)
        {
            WriteJson(new CliError(message, ex.StatusCode is { } s ? (int)s : null, ex.Title, ex.Description, missing));
        }
        else
        {
            Error.WriteLine("error: " + message);
        }

        return missing ? ExitCodes.NotImplemented : ExitCodes.RequestFailed;
    }

    /// <summary>Closes the client's connections.</summary>
    public void Dispose() => client?.Dispose();
}

/// <summary>The <c>--json</c> error document.</summary>
/// <param name="Error">What went wrong.</param>
/// <param name="Status">HTTP status, if an answer came.</param>
/// <param name="Title">Server's error title.</param>
/// <param name="Description">Server's error description.</param>
/// <param name="NotImplemented">True when the server lacks the endpoint.</param>
public sealed record CliError(string Error, int? Status, string? Title, string? Description, bool NotImplemented);

/// <summary>Process exit codes.</summary>
public static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Ok = 0;

    /// <summary>A request failed (error status or unreachable).</summary>
    public const int RequestFailed = 1;

    /// <summary>Bad command line.</summary>
    public const int Usage = 2;

    /// <summary>The server does not implement the endpoint (404 with no body).</summary>
    public const int NotImplemented = 3;

    /// <summary>bench: a consumed message was duplicated or unknown.</summary>
    public const int VerificationFailed = 4;
}
