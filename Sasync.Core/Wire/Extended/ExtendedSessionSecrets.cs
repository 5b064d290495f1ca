using System.Security.Cryptography;

namespace Sasync.Core.Wire.Extended;

/// <summary>
/// What <see cref="ExtendedKeySchedule.Derive"/> gives one session: the transcript hash, a traffic key and nonce
/// salt per direction, and the confirm key behind the Finished MACs. The encoder and decoder copy what they need,
/// so this may be disposed (its keys zeroed) once both exist.
/// </summary>
public sealed class ExtendedSessionSecrets : IDisposable
{
    private static ReadOnlySpan<byte> FinishedLabel => "sasyncd-cs v1 finished"u8;

    private readonly byte[] _transcriptHash;
    private readonly byte[] _diallerKey;
    private readonly byte[] _acceptorKey;
    private readonly byte[] _diallerSalt;
    private readonly byte[] _acceptorSalt;
    private readonly byte[] _confirmKey;
    private bool _disposed;

    internal ExtendedSessionSecrets(byte[] transcriptHash, byte[] diallerKey, byte[] acceptorKey, byte[] diallerSalt, byte[] acceptorSalt, byte[] confirmKey)
    {
        _transcriptHash = transcriptHash;
        _diallerKey = diallerKey;
        _acceptorKey = acceptorKey;
        _diallerSalt = diallerSalt;
        _acceptorSalt = acceptorSalt;
        _confirmKey = confirmKey;
    }

    /// <summary>Bytes of a Finished MAC (HMAC-SHA256).</summary>
    public const int FinishedSize = 32;

    /// <summary>SHA-256 of the handshake (label and both hellos), 32 bytes: the HKDF salt, and what Finished covers.</summary>
    public ReadOnlySpan<byte> TranscriptHash => _transcriptHash;

    /// <summary>The generation-0 traffic key of frames sent by the dialler (<paramref name="fromDialler"/>) or the acceptor, 32 bytes.</summary>
    /// <exception cref="ObjectDisposedException">The secrets were disposed.</exception>
    public ReadOnlySpan<byte> TrafficKey(bool fromDialler)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return fromDialler ? _diallerKey : _acceptorKey;
    }

    /// <summary>The 4-byte nonce salt of frames sent by the dialler (<paramref name="fromDialler"/>) or the acceptor.</summary>
    /// <exception cref="ObjectDisposedException">The secrets were disposed.</exception>
    public ReadOnlySpan<byte> NonceSalt(bool fromDialler)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return fromDialler ? _diallerSalt : _acceptorSalt;
    }

    /// <summary>
    /// The Finished MAC the dialler (<paramref name="fromDialler"/>) or the acceptor sends: HMAC-SHA256 under the
    /// confirm key over a label, the direction and the transcript hash, 32 bytes.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The secrets were disposed.</exception>
    public byte[] Finished(bool fromDialler)
    {
        var mac = new byte[FinishedSize];
        WriteFinished(fromDialler, mac);
        return mac;
    }

    /// <summary>Whether <paramref name="mac"/> is the Finished MAC of that direction; compared in constant time.</summary>
    /// <exception cref="ObjectDisposedException">The secrets were disposed.</exception>
    public bool VerifyFinished(bool fromDialler, ReadOnlySpan<byte> mac)
    {
        Span<byte> expected = stackalloc byte[FinishedSize];
        WriteFinished(fromDialler, expected);
        // FixedTimeEquals answers false at once for another length, which gives nothing away.
        var same = CryptographicOperations.FixedTimeEquals(expected, mac);
        CryptographicOperations.ZeroMemory(expected);
        return same;
    }

    /// <summary>Zeroes every key and salt.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        CryptographicOperations.ZeroMemory(_diallerKey);
        CryptographicOperations.ZeroMemory(_acceptorKey);
        CryptographicOperations.ZeroMemory(_diallerSalt);
        CryptographicOperations.ZeroMemory(_acceptorSalt);
        CryptographicOperations.ZeroMemory(_confirmKey);
    }

    private void WriteFinished(bool fromDialler, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _confirmKey);
        hmac.AppendData(FinishedLabel);
        hmac.AppendData(fromDialler ? "dialler"u8 : "acceptor"u8);
        hmac.AppendData(_transcriptHash);
        hmac.GetHashAndReset(destination);
    }
}
