namespace Sasync.Core.Privsep;

/// <summary>
/// The type byte of a frame on the privilege-separation channel. Requests (network side to
/// privileged side) are 1..7, replies 0x81.., notices (privileged side, unasked) 0x41.
/// </summary>
internal static class PrivsepMessageType
{
    // Requests: the whole set the privileged side carries out.
    public const byte DumpKernel = 1;
    public const byte Demote = 2;
    public const byte Undemote = 3;
    public const byte ReadDemotion = 4;
    public const byte ControlDaemon = 5;
    public const byte ReadConfig = 6;
    public const byte Simulation = 7;

    // The network process read one more chunk of dump <id>: the next may come (see PrivilegedServer's dump window).
    public const byte DumpCredit = 8;

    // Replies, carrying the id of their request.
    public const byte Done = 0x81;
    public const byte Failed = 0x82;
    public const byte Dump = 0x83; // the end of a dump, after its chunks
    public const byte DumpChunk = 0x86; // table byte (0 SADB, 1 SPD), then whole records
    public const byte Counter = 0x84;
    public const byte Bytes = 0x85;

    // Notices, id 0.
    public const byte CarpLink = 0x41;
}
