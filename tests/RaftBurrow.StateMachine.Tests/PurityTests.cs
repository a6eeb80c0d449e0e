using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace RaftBurrow.StateMachine.Tests;

/// <summary>
/// The state machine must not read a clock, randomness or do I/O (DESIGN.md §4). This scans every
/// member and type reference of the compiled assembly and fails on the forbidden ones.
/// </summary>
public class PurityTests
{
    private static readonly string[] ForbiddenMembers =
    [
        "System.DateTime.get_Now", "System.DateTime.get_UtcNow", "System.DateTime.get_Today",
        "System.DateTimeOffset.get_Now", "System.DateTimeOffset.get_UtcNow",
        "System.Environment.get_TickCount", "System.Environment.get_TickCount64",
        "System.Guid.NewGuid", "System.Guid.CreateVersion7",
        "System.Threading.Tasks.Task.Run", "System.Threading.Tasks.Task.Delay",
        "System.TimeProvider.get_System",
    ];

    private static readonly string[] ForbiddenTypes =
    [
        "System.Diagnostics.Stopwatch", "System.Random", "System.Security.Cryptography.RandomNumberGenerator",
        "System.IO.File", "System.IO.FileInfo", "System.IO.Directory", "System.IO.DirectoryInfo", "System.IO.FileStream",
        "System.Console", "System.Threading.Thread", "System.Threading.Timer", "System.Net.Http.HttpClient",
        "System.Net.Sockets.Socket", "Microsoft.Extensions.Logging.ILogger",
    ];

    internal static List<string> References(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        string TypeName(EntityHandle handle) => handle.Kind switch
        {
            HandleKind.TypeReference => Name(md.GetTypeReference((TypeReferenceHandle)handle)),
            _ => "",
        };
        string Name(TypeReference t) => t.ResolutionScope.Kind == HandleKind.TypeReference
            ? Name(md.GetTypeReference((TypeReferenceHandle)t.ResolutionScope)) + "+" + md.GetString(t.Name)
            : md.GetString(t.Namespace) + "." + md.GetString(t.Name);
        var found = new List<string>();
        foreach (var handle in md.TypeReferences)
            found.Add(Name(md.GetTypeReference(handle)));
        foreach (var handle in md.MemberReferences)
        {
            var member = md.GetMemberReference(handle);
            var parent = member.Parent.Kind == HandleKind.TypeSpecification ? "" : TypeName(member.Parent);
            found.Add(parent + "." + md.GetString(member.Name));
        }
        return found;
    }

    [Fact]
    public void State_machine_assembly_references_no_clock_randomness_or_io()
    {
        var refs = References(typeof(QueueStateMachine).Assembly.Location);
        Assert.Contains("MessagePack.MessagePackWriter.Flush", refs); // the scan sees member references
        var bad = refs.Where(r => ForbiddenMembers.Contains(r) || ForbiddenTypes.Any(t => r == t || r.StartsWith(t + ".", StringComparison.Ordinal) || r.StartsWith(t + "+", StringComparison.Ordinal))).Distinct().ToList();
        Assert.Empty(bad);
    }

    [Fact]
    public void The_scan_catches_a_forbidden_reference()
    {
        // This test assembly uses File.OpenRead, so the same scan must see it here.
        var refs = References(typeof(PurityTests).Assembly.Location);
        Assert.Contains("System.IO.File.OpenRead", refs);
    }
}
