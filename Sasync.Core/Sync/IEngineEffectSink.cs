using Sasync.Core.PfKey;

namespace Sasync.Core.Sync;

/// <summary>
/// Takes the engine's effects as they are made instead of in a list per event, and the two made for every
/// relayed message without an effect record: how <see cref="Hosting.NodeCore"/> keeps its steady state free of
/// per-message allocations. The engine calls it synchronously, in the order the effects would have had in the
/// list; an implementation must not call back into the engine.
/// </summary>
internal interface IEngineEffectSink
{
    /// <summary>Carries out one effect.</summary>
    void Execute(EngineEffect effect);

    /// <summary>
    /// The same as executing <see cref="SendPfKey"/>; <paramref name="message"/> stays valid as long as it would there,
    /// unless <see cref="CopiesSentMessages"/>.
    /// </summary>
    void SendPfKey(string peer, ReadOnlyMemory<byte> message);

    /// <summary>Whether <see cref="SendPfKey"/> is done with the message once it returns (the network queued a copy): the engine may then reuse its buffer.</summary>
    bool CopiesSentMessages { get; }

    /// <summary>
    /// The same as executing <see cref="WriteToKernel"/> with <paramref name="message"/> under <paramref name="header"/>
    /// (our pid and sequence number already in it): <paramref name="message"/> is the peer's validated plaintext and is
    /// valid only during the call, so the sink writes the header over its own copy.
    /// </summary>
    void WriteToKernel(string peer, ReadOnlyMemory<byte> message, SadbHeader header);
}
