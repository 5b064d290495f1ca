using Sasync.Platform.OpenBSD.Structs;

namespace Sasync.Platform.OpenBSD.Files;

/// <summary>
/// What stat(2) says about the configuration file: whether it could be stat'ed (Errno 0), its
/// mode and its owner. The rule on these facts (regular, owner root or _isakmpd, no group/other
/// bits) belongs to the configuration code.
/// </summary>
internal sealed record ConfigFileStat(int Errno, StatMode Mode, uint OwnerUid)
{
    public bool Found => Errno == 0;

    public static ConfigFileStat Failed(int errno) => new(errno, default, 0);
}
