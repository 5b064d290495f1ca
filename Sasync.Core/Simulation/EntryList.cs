namespace Sasync.Core.Simulation;

/// <summary>
/// An element of an <see cref="EntryList{T}"/>: the links live in the element, so listing one
/// allocates nothing (a LinkedList node per SA or flow was one more object per write).
/// </summary>
internal abstract class ListedEntry<T>
    where T : ListedEntry<T>
{
    /// <summary>The element before this one, or null for the first (or an element in no list).</summary>
    public T? Previous { get; internal set; }

    /// <summary>The element after this one, or null for the last (or an element in no list).</summary>
    public T? Following { get; internal set; }
}

/// <summary>
/// A doubly linked list in insertion order whose links are the elements' own fields: O(1) append,
/// removal and in-place replacement. An element is in at most one list. Not thread-safe.
/// </summary>
internal sealed class EntryList<T>
    where T : ListedEntry<T>
{
    public T? First { get; private set; }

    public T? Last { get; private set; }

    public int Count { get; private set; }

    public void AddLast(T entry)
    {
        ThrowIfListed(entry);

        entry.Previous = Last;
        if (Last is null)
        {
            First = entry;
        }
        else
        {
            Last.Following = entry;
        }

        Last = entry;
        Count++;
    }

    public void Remove(T entry)
    {
        Splice(entry, null);
        Count--;
    }

    /// <summary>Puts <paramref name="replacement"/> (in no list) where <paramref name="entry"/> is, and takes <paramref name="entry"/> out.</summary>
    public void Replace(T entry, T replacement)
    {
        ThrowIfListed(replacement);

        Splice(entry, replacement);
    }

    public Enumerator GetEnumerator() => new(First);

    // Links set, or the only element of this list: catches adding an element twice.
    private void ThrowIfListed(T entry)
    {
        if (entry.Previous is not null || entry.Following is not null || First == entry)
        {
            throw new InvalidOperationException("the entry is already in a list");
        }
    }

    /// <summary>Takes <paramref name="entry"/> out, its neighbours now linked to <paramref name="replacement"/> or, when null, to each other.</summary>
    private void Splice(T entry, T? replacement)
    {
        if ((entry.Previous is null ? First : entry.Previous.Following) != entry)
        {
            throw new InvalidOperationException("the entry is not in this list");
        }

        var (previous, following) = (entry.Previous, entry.Following);
        var (afterPrevious, beforeFollowing) = replacement is null ? (following, previous) : (replacement, replacement);
        if (previous is null)
        {
            First = afterPrevious;
        }
        else
        {
            previous.Following = afterPrevious;
        }

        if (following is null)
        {
            Last = beforeFollowing;
        }
        else
        {
            following.Previous = beforeFollowing;
        }

        if (replacement is not null)
        {
            (replacement.Previous, replacement.Following) = (previous, following);
        }

        entry.Previous = null;
        entry.Following = null;
    }

    /// <summary>Walks the list first to last; the element it is on may be removed meanwhile, no other.</summary>
    public struct Enumerator(T? first)
    {
        private T? _next = first;

        public T Current { get; private set; } = null!;

        public bool MoveNext()
        {
            if (_next is null)
            {
                return false;
            }

            Current = _next;
            _next = _next.Following;
            return true;
        }
    }
}
