using Sasync.Core.PfKey;

namespace Sasync.Core.Simulation;

/// <summary>An SADB or SPD entry as a sysctl dump writes it: a header of its table's type, then its extensions.</summary>
internal interface IDumpRecordSource
{
    /// <summary>The satype the record's header carries.</summary>
    SadbSaType RecordSaType { get; }

    /// <summary>The extensions' length in bytes.</summary>
    int ExportLength();

    /// <summary>Writes the extensions; returns their length.</summary>
    int ExportTo(Span<byte> destination);
}
