using RaftBurrow.StateMachine.State;

namespace RaftBurrow.StateMachine.Tests;

public class DedupTableTests
{
    [Fact]
    public void ToArray_lists_the_entries_oldest_first_across_the_ring_wrap()
    {
        var table = new DedupTable();
        Assert.Empty(table.ToArray());
        static DedupEntry Entry(int i) =>
            new() { RequestId = new Guid(i, 0, 0, new byte[8]), AtMs = i, Kind = DedupKind.Code };
        for (var i = 1; i <= 16; i++)
            table.Add(Entry(i));
        table.Evict(nowMs: 16, windowMs: 1_000, maxEntries: 6); // keeps 11..16 at the ring's end
        for (var i = 17; i <= 22; i++)
            table.Add(Entry(i)); // wraps to the ring's start (16 slots, 12 entries)
        Assert.Equal(Enumerable.Range(11, 12).Select(i => (long)i), table.ToArray().Select(e => e.AtMs));
    }
}
