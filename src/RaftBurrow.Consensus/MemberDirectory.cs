using System.Collections.Immutable;
using System.Net;
using System.Text.Json;

namespace RaftBurrow.Consensus;

/// <summary>
/// The cluster members this node knows, by id, with their HTTP URLs (what forwarding and the admin
/// view need; the Raft configuration itself only holds endpoints). Starts from the configured peer
/// list; once an operator adds or removes a node it is kept in <c>&lt;DataDir&gt;/members.json</c>,
/// which wins over the peer list at the next start. File format version 1:
/// <c>{"version":1,"members":[{"id","raftAddress","raftBasePort","httpUrl","zone"},…]}</c>.
/// </summary>
/// <remarks>Threading: reads are lock-free (an immutable snapshot); changes are serialized.</remarks>
public sealed class MemberDirectory
{
    private const int FormatVersion = 1;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private readonly object _gate = new();
    private readonly string _path;
    private ImmutableDictionary<int, ClusterMember> _members;

    /// <summary>Loads <c>members.json</c> from the data directory, or takes the configured members.</summary>
    public MemberDirectory(RaftNodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _path = Path.Combine(Path.GetFullPath(options.DataDir), "members.json");
        var stored = File.Exists(_path) ? JsonSerializer.Deserialize<Stored>(File.ReadAllText(_path), Json) : null;
        if (stored is not null && stored.Version != FormatVersion)
            throw new InvalidOperationException($"{_path} has version {stored.Version}; this build reads version {FormatVersion}.");
        _members = (stored?.Members ?? [.. options.EffectiveMembers()]).ToImmutableDictionary(m => m.Id);
        if (!_members.ContainsKey(options.NodeId))
            _members = _members.SetItem(options.NodeId, options.EffectiveMembers().Single(m => m.Id == options.NodeId));
    }

    /// <summary>The members by id (a snapshot).</summary>
    public IReadOnlyDictionary<int, ClusterMember> Members => Volatile.Read(ref _members);

    /// <summary>The id of the member whose Raft endpoint for <paramref name="partition"/> is <paramref name="endPoint"/>, or null.</summary>
    public int? IdOf(EndPoint endPoint, int partition)
    {
        foreach (var member in Members.Values)
        {
            if (RaftEndPoints.Matches(endPoint, member.RaftAddress, member.RaftBasePort + partition))
                return member.Id;
        }
        return null;
    }

    /// <summary>Adds or replaces a member and persists the directory; returns false when it was already there unchanged.</summary>
    public bool Upsert(ClusterMember member)
    {
        ArgumentNullException.ThrowIfNull(member);
        lock (_gate)
        {
            if (_members.TryGetValue(member.Id, out var existing) && SameAddresses(existing, member))
                return false;
            _members = _members.SetItem(member.Id, member);
            Save();
            return true;
        }
    }

    /// <summary>Removes a member and persists the directory; returns false when it was not there.</summary>
    public bool Remove(int id)
    {
        lock (_gate)
        {
            if (!_members.ContainsKey(id))
                return false;
            _members = _members.Remove(id);
            Save();
            return true;
        }
    }

    /// <summary>Whether two descriptions name the same process (id, Raft address and ports, HTTP URL).</summary>
    public static bool SameAddresses(ClusterMember a, ClusterMember b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return a.Id == b.Id && a.RaftBasePort == b.RaftBasePort && string.Equals(a.RaftAddress, b.RaftAddress, StringComparison.OrdinalIgnoreCase)
            && string.Equals(a.HttpUrl.TrimEnd('/'), b.HttpUrl.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);
    }

    private void Save()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        var temp = _path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(new Stored(FormatVersion, _members.Values.OrderBy(m => m.Id).ToList()), Json));
        File.Move(temp, _path, overwrite: true);
    }

    private sealed record Stored(int Version, List<ClusterMember> Members);
}
