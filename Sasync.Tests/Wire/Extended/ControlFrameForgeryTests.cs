using System.Security.Cryptography;
using Sasync.Core;
using Sasync.Core.Config;
using Sasync.Core.Net;
using Sasync.Core.Wire;
using Sasync.Core.Wire.Extended;

namespace Sasync.Tests.Wire.Extended;

/// <summary>
/// Issue 12's forgery without the key: a legacy control frame is one CBC block whose plaintext the clear SHA-1
/// gives away, so flipping IV bits rewrites it at will and the attacker writes the new plaintext's SHA-1.
/// The legacy decoder accepts the result (the original's protocol, kept byte for byte); the extended channel does not.
/// </summary>
public class ControlFrameForgeryTests
{
    public static TheoryData<string> Targets => new() { "STATE MASTER", "ENDSNAP", "ERROR STATE" };

    [Theory]
    [MemberData(nameof(Targets))]
    public void A_legacy_STATE_SLAVE_frame_rewritten_through_its_IV_is_accepted_by_the_legacy_decoder(string target)
    {
        var key = new SharedKey(RandomNumberGenerator.GetBytes(32));
        var captured = new FrameEncoder(key).Encode(ControlMessage.StateOf(RunState.Slave));
        var wanted = TargetOf(target);

        var forged = ForgeLegacy(captured, wanted);

        Assert.NotEqual(captured, forged);
        Assert.True(new FrameDecoder(key).TryDecode(forged, out var decoded, out var error), error.Describe());
        Assert.True(decoded.TryGetControl(out var message));
        Assert.Equal(wanted, message);
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void The_same_rewrite_of_an_extended_frame_is_refused(string target)
    {
        var session = new ExtendedTestSession(60);
        var slave = PlaintextOf(ControlMessage.StateOf(RunState.Slave));
        var captured = ExtendedTestSession.Seal(session.DiallerEncoder, WireMessageType.Control, slave);
        var wanted = PlaintextOf(TargetOf(target));

        // AES-GCM encrypts in counter mode: XOR of known and wanted plaintext into the ciphertext rewrites it the same
        // way the IV does in CBC; but the tag covers the ciphertext and cannot be recomputed without the key.
        var forged = (byte[])captured.Clone();
        for (var i = 0; i < slave.Length; i++)
        {
            forged[ExtendedFrameLayout.HeaderSize + i] ^= (byte)(slave[i] ^ wanted[i]);
        }

        var result = ExtendedTestSession.Open(session.AcceptorDecoder, forged);

        Assert.Equal(FrameDecodeStatus.Fatal, result.Status);
        Assert.Equal(FrameError.ExtendedTag, result.Error);
        Assert.Empty(result.Plaintext);
    }

    private static ControlMessage TargetOf(string name) => name switch
    {
        "STATE MASTER" => ControlMessage.StateOf(RunState.Master),
        "ENDSNAP" => ControlMessage.EndSnapshot,
        _ => ControlMessage.StateError,
    };

    private static byte[] PlaintextOf(ControlMessage message)
    {
        var plaintext = new byte[ControlMessage.Size];
        message.WriteTo(plaintext);
        return plaintext;
    }

    /// <summary>What someone on the network does without the key: guess the plaintext by its clear SHA-1, then rewrite it.</summary>
    private static byte[] ForgeLegacy(byte[] captured, ControlMessage wanted)
    {
        var clearHash = captured.AsSpan(FrameLayout.HashOffset, FrameLayout.HashSize).ToArray();
        var candidates = new[] { RunState.Init, RunState.Slave, RunState.Master, RunState.Fail }
            .SelectMany(s => new[] { ControlMessage.StateOf(s), ControlMessage.AckOf(s) })
            .Append(ControlMessage.EndSnapshot).Append(ControlMessage.StateError);
        var known = candidates.Select(PlaintextOf).Single(p => SHA1.HashData(p).AsSpan().SequenceEqual(clearHash));

        // The one block is the 12 bytes and the pad 4, 3, 2, 1 (the pad length is in clear too).
        byte[] Block(byte[] plaintext) => [.. plaintext, 4, 3, 2, 1];
        var p = Block(known);
        var q = Block(PlaintextOf(wanted));
        var forged = (byte[])captured.Clone();
        for (var i = 0; i < FrameLayout.IvSize; i++)
        {
            forged[FrameLayout.IvOffset + i] ^= (byte)(p[i] ^ q[i]);
        }

        SHA1.HashData(PlaintextOf(wanted)).CopyTo(forged, FrameLayout.HashOffset);
        return forged;
    }
}
