using Sasync.Core.Config;
using Sasync.Core.Wire.Extended;

namespace Sasync.Core.Sessions;

/// <summary>
/// What a connection's handshake needs, given by the shell when it reports the connection opened: the
/// shared key its legacy frames use (so a reloaded key applies from the next connection on), the policy,
/// and the extended channel's limits. Without one a connection speaks HELLO version 1 and stays legacy.
/// </summary>
/// <param name="Key">The shared key of the connection's legacy frames, and the input of the extended channel's keys.</param>
/// <param name="Policy">Whether to offer, accept or require the extended channel.</param>
/// <param name="Options">Rekey limits and the largest plaintext of the extended frames.</param>
public sealed record ChannelHandshake(SharedKey Key, ChannelPolicy Policy, ExtendedChannelOptions Options)
{
    /// <summary>A handshake under <paramref name="key"/> and <paramref name="policy"/> with the default limits.</summary>
    public ChannelHandshake(SharedKey key, ChannelPolicy policy = ChannelPolicy.Prefer)
        : this(key, policy, ExtendedChannelOptions.Default)
    {
    }
}
