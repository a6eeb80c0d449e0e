using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace RaftBurrow.Ops.Tests.Support;

/// <summary>Keeps every log entry with its structured state and active scopes, for assertions.</summary>
public sealed class LogCollector : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public ConcurrentQueue<Entry> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose() { }

    public sealed record Entry(string Category, LogLevel Level, EventId EventId, string Message,
        IReadOnlyDictionary<string, object?> Properties);

    private sealed class Logger(LogCollector owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var properties = new Dictionary<string, object?>(StringComparer.Ordinal);
            owner._scopes.ForEachScope((scope, props) =>
            {
                if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                    foreach (var (k, v) in pairs)
                        props["scope." + k] = v;
            }, properties);
            if (state is IEnumerable<KeyValuePair<string, object?>> own)
                foreach (var (k, v) in own)
                    properties[k] = v;
            owner.Entries.Enqueue(new Entry(category, logLevel, eventId, formatter(state, exception), properties));
        }
    }
}
