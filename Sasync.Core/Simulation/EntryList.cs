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
        if (entry.Previous is not null || entry.Following is not null || First == entry)
        {
            throw new InvalidOperationException("the entry is already in a list");
        }

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
        CheckListed(entry);
        var (previous, following) = (entry.Previous, entry.Following);
        if (previous is null)
        {
            First = following;
        }
        else
        {
            previous.Following = following;
        }

        if (following is null)
        {
            Last = previous;
        }
        else
        {
            following.Previous = previous;
        }

        entry.Previous = null;
        entry.Following = null;
        Count--;
    }

    /// <summary>Puts <paramref name="replacement"/> (in no list) where <paramref name="entry"/> is, and takes <paramref name="entry"/> out.</summary>
    public void Replace(T entry, T replacement)
    {
        CheckListed(entry);
        if (replacement.Previous is not null || replacement.Following is not null || First == replacement)
        {
            throw new InvalidOperationException("the replacement is already in a list");
        }

        var (previous, following) = (entry.Previous, entry.Following);
        if (previous is null)
        {
            First = replacement;
        }
        else
        {
            previous.Following = replacement;
        }

        if (following is null)
        {
            Last = replacement;
        }
        else
        {
            following.Previous = replacement;
        }

        (replacement.Previous, replacement.Following) = (previous, following);
        entry.Previous = null;
        entry.Following = null;
    }

    public Enumerator GetEnumerator() => new(First);

    private void CheckListed(T entry)
    {
        if ((entry.Previous is null ? First : entry.Previous.Following) != entry)
        {
            throw new InvalidOperationException("the entry is not in this list");
        }
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
