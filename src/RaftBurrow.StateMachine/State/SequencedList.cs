namespace RaftBurrow.StateMachine.State;

/// <summary>An item kept in queue order by a partition-wide sequence number.</summary>
internal interface ISequenced
{
    /// <summary>Position key; strictly increasing in append order.</summary>
    long Seq { get; }

    /// <summary>True once the item left its list (a tombstone until trimmed or compacted).</summary>
    bool Removed { get; }
}

/// <summary>
/// An append-only-at-the-tail list of items in sequence order with O(1) removal by tombstone, O(log n)
/// seek by sequence number, and amortized O(1) trimming and compaction. Queues are FIFO and mostly lose
/// items at the head, so the head is trimmed eagerly and the rest is compacted when tombstones dominate.
/// </summary>
/// <remarks>Invariant: items in [Start, End) have strictly increasing <see cref="ISequenced.Seq"/>;
/// <see cref="LiveCount"/> equals the number of those items that are not removed; the item at Start
/// (if any) is not removed.</remarks>
internal sealed class SequencedList<T> where T : class, ISequenced
{
    private T?[] _items = new T?[8];
    private int _head;
    private int _tail;

    /// <summary>Number of items that are not removed.</summary>
    public int LiveCount { get; private set; }

    /// <summary>First slot to scan.</summary>
    public int Start => _head;

    /// <summary>One past the last slot.</summary>
    public int End => _tail;

    /// <summary>The item in a slot in [Start, End); may be a removed item.</summary>
    public T At(int slot) => _items[slot]!;

    /// <summary>
    /// A copy of the slots [Start, End), tombstones included, in order. Why: a snapshot capture
    /// needs the list as it is now, and copying references (a memory copy) is far cheaper than
    /// visiting every item; the items' own mutable fields are preserved copy-on-write (see
    /// <see cref="SnapshotEpochs"/>).
    /// </summary>
    public T[] CopySlots()
    {
        var slots = new T[_tail - _head];
        Array.Copy(_items, _head, slots, 0, slots.Length);
        return slots;
    }

    /// <summary>Appends an item whose sequence is above every item already in the list.</summary>
    public void Append(T item)
    {
        if (_tail == _items.Length)
            MakeRoom();
        _items[_tail++] = item;
        LiveCount++;
    }

    /// <summary>Tells the list that one of its items was marked removed.</summary>
    public void OnRemoved()
    {
        LiveCount--;
        while (_head < _tail && _items[_head]!.Removed)
            _items[_head++] = null;
        if (_head == _tail)
        {
            _head = 0;
            _tail = 0;
        }
        else if (_tail - _head - LiveCount > LiveCount + 32)
        {
            Compact();
        }
    }

    /// <summary>The first slot whose item's sequence is above <paramref name="seq"/> (End if none).</summary>
    public int SlotAfter(long seq)
    {
        int lo = _head, hi = _tail;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            if (_items[mid]!.Seq <= seq)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo;
    }

    /// <summary>The live item with this sequence, or null (binary search: the list is in sequence order).</summary>
    public T? Find(long seq)
    {
        var slot = SlotAfter(seq - 1);
        return slot < _tail && _items[slot]!.Seq == seq && !_items[slot]!.Removed ? _items[slot] : null;
    }

    /// <summary>The first live item, or null.</summary>
    public T? First => _head < _tail ? _items[_head] : null;

    /// <summary>The last live item, or null.</summary>
    public T? Last
    {
        get
        {
            for (var i = _tail - 1; i >= _head; i--)
            {
                if (!_items[i]!.Removed)
                    return _items[i];
            }
            return null;
        }
    }

    /// <summary>Drops every item.</summary>
    public void Clear()
    {
        Array.Clear(_items, _head, _tail - _head);
        _head = 0;
        _tail = 0;
        LiveCount = 0;
    }

    private void MakeRoom()
    {
        // Compacting frees at least half the array when at most half of it is live; otherwise grow.
        if (LiveCount <= _items.Length / 2)
        {
            Compact();
            return;
        }
        Array.Resize(ref _items, _items.Length * 2);
    }

    private void Compact()
    {
        var write = 0;
        for (var read = _head; read < _tail; read++)
        {
            var item = _items[read]!;
            if (!item.Removed)
                _items[write++] = item;
        }
        Array.Clear(_items, write, _tail - write);
        _head = 0;
        _tail = write;
    }
}
