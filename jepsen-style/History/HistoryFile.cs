using System.Text.Json;
using System.Text.Json.Serialization;

namespace RaftBurrow.Jepsen.History;

/// <summary>JSONL persistence of a history: one operation or fault per line, appended as it happens.</summary>
public sealed class HistoryFile : IDisposable
{
    /// <summary>Serializer settings shared by history, results and tests.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = false,
    };

    private readonly StreamWriter _writer;
    private readonly Lock _gate = new();

    /// <summary>Opens (creates or truncates) a history file for appending.</summary>
    public HistoryFile(string path)
    {
        _writer = new StreamWriter(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read)) { AutoFlush = false };
    }

    /// <summary>Appends one completed operation.</summary>
    public void Append(Operation op) => Write(JsonSerializer.Serialize(op, Json));

    /// <summary>Appends one fault event.</summary>
    public void Append(FaultEvent fault) => Write(JsonSerializer.Serialize(fault, Json));

    /// <summary>Flushes buffered lines to disk.</summary>
    public void Flush()
    {
        lock (_gate)
        {
            _writer.Flush();
        }
    }

    private void Write(string line)
    {
        lock (_gate)
        {
            _writer.WriteLine(line);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_gate)
        {
            _writer.Dispose();
        }
    }

    /// <summary>Serializes a whole history as JSONL text (ops then faults, each in order).</summary>
    public static string ToJsonl(RunHistory history)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var op in history.Operations)
        {
            sb.Append(JsonSerializer.Serialize(op, Json)).Append('\n');
        }

        foreach (var f in history.Faults)
        {
            sb.Append(JsonSerializer.Serialize(f, Json)).Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>Parses JSONL text; blank lines are skipped, a malformed line is an error with its line number.</summary>
    public static RunHistory Parse(string text)
    {
        var ops = new List<Operation>();
        var faults = new List<FaultEvent>();
        var lineNo = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNo++;
            var line = raw.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            try
            {
                using var doc = JsonDocument.Parse(line);
                var kind = doc.RootElement.TryGetProperty("kind", out var k) ? k.GetString() : "op";
                if (kind == "fault")
                {
                    faults.Add(doc.RootElement.Deserialize<FaultEvent>(Json)!);
                }
                else
                {
                    ops.Add(doc.RootElement.Deserialize<Operation>(Json)!);
                }
            }
            catch (JsonException e)
            {
                throw new FormatException($"history line {lineNo}: {e.Message}", e);
            }
        }

        return new RunHistory(ops, faults);
    }

    /// <summary>Reads and parses a history file.</summary>
    public static RunHistory Load(string path) => Parse(File.ReadAllText(path));
}
