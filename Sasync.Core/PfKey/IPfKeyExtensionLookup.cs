namespace Sasync.Core.PfKey;

/// <summary>What the sync filter reads of a message: its header and its extensions by type.</summary>
internal interface IPfKeyExtensionLookup
{
    /// <summary>The 16-byte <c>sadb_msg</c> header.</summary>
    SadbHeader Header { get; }

    /// <summary>The raw extension of <paramref name="type"/>; false when the message has none.</summary>
    bool TryGet(SadbExtensionType type, out PfKeyExtension extension);
}
