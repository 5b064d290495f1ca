using System.Runtime.Intrinsics;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;

namespace Sasync.Core.Wire;

/// <summary>
/// AES-CBC without padding, one direction, with a new IV per message and no allocation per message.
/// BouncyCastle's <see cref="CbcBlockCipher"/> only takes a new IV through Init, which allocates; so it is
/// initialised once with an all-zero IV, reset before each message, and the message's IV is folded into
/// the first block instead (CBC XORs the IV with exactly that block). Not thread-safe.
/// </summary>
internal sealed class AesCbc
{
    private readonly CbcBlockCipher _cbc;
    private readonly bool _encrypting;
    private Vector128<byte> _iv;
    private bool _atFirstBlock;

    public AesCbc(bool encrypting, ReadOnlySpan<byte> key)
    {
        _encrypting = encrypting;
        // AesUtilities picks the AES-NI engine where the CPU has one.
        _cbc = new CbcBlockCipher(AesUtilities.CreateEngine());
        _cbc.Init(encrypting, new ParametersWithIV(new KeyParameter(key), new byte[FrameLayout.BlockSize]));
    }

    public void Start(ReadOnlySpan<byte> iv)
    {
        _cbc.Reset();
        _iv = Vector128.Create(iv);
        _atFirstBlock = true;
    }

    /// <summary>Processes whole blocks; <paramref name="output"/> may not overlap <paramref name="input"/>.</summary>
    public void Process(ReadOnlySpan<byte> input, Span<byte> output)
    {
        for (var offset = 0; offset < input.Length; offset += FrameLayout.BlockSize)
        {
            ProcessBlock(input.Slice(offset, FrameLayout.BlockSize), output.Slice(offset, FrameLayout.BlockSize));
        }
    }

    public void ProcessBlock(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (!_atFirstBlock)
        {
            _cbc.ProcessBlock(input, output);
            return;
        }

        _atFirstBlock = false;
        if (_encrypting)
        {
            Span<byte> whitened = stackalloc byte[FrameLayout.BlockSize];
            (Vector128.Create(input) ^ _iv).CopyTo(whitened);
            _cbc.ProcessBlock(whitened, output);
        }
        else
        {
            _cbc.ProcessBlock(input, output);
            (Vector128.Create((ReadOnlySpan<byte>)output) ^ _iv).CopyTo(output);
        }
    }
}
