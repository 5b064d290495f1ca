using Sasync.Core.Net;
using Sasync.Core.Wire;
using Sasync.Core.Wire.Extended;

namespace Sasync.Tests.Wire.Extended;

public class AesGcmAgreementTests
{
    // AES-256, 96-bit IV, with associated data: test case 16 of the GCM specification (McGrew and Viega).
    private const string Key = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
    private const string Nonce = "cafebabefacedbaddecaf888";
    private const string AssociatedData = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
    private const string Plaintext = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
    private const string Ciphertext = "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662";
    private const string Tag = "76fc6ece0f4e1768cddf8853bb2d551b";

    public static TheoryData<ExtendedAeadProvider> Providers
    {
        get
        {
            var providers = new TheoryData<ExtendedAeadProvider> { ExtendedAeadProvider.Bcl, ExtendedAeadProvider.BouncyCastle };
            if (VectorizedAesGcmCipher.IsSupported)
            {
                providers.Add(ExtendedAeadProvider.Vectorized);
            }

            return providers;
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Each_implementation_gives_the_published_vector_and_refuses_it_altered(ExtendedAeadProvider provider)
    {
        using var cipher = AesGcmCiphers.Create(provider, Convert.FromHexString(Key));
        var plaintext = Convert.FromHexString(Plaintext);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[16];

        cipher.Seal(Convert.FromHexString(Nonce), plaintext, ciphertext, tag, Convert.FromHexString(AssociatedData));

        Assert.Equal(Ciphertext, Convert.ToHexStringLower(ciphertext));
        Assert.Equal(Tag, Convert.ToHexStringLower(tag));
        var opened = new byte[plaintext.Length];
        Assert.True(cipher.TryOpen(Convert.FromHexString(Nonce), ciphertext, tag, opened, Convert.FromHexString(AssociatedData)));
        Assert.Equal(plaintext, opened);
        var associated = Convert.FromHexString(AssociatedData);
        associated[0] ^= 1;
        Assert.False(cipher.TryOpen(Convert.FromHexString(Nonce), ciphertext, tag, opened, associated));
        Assert.All(opened, b => Assert.Equal(0, b));
    }

    [Theory]
    [InlineData(ExtendedAeadProvider.BouncyCastle)]
    [InlineData(ExtendedAeadProvider.Automatic)]
    public void The_BCL_and_another_encoder_write_the_same_frames_and_open_each_others(ExtendedAeadProvider other)
    {
        var random = new Random(50);
        var secrets = ExtendedKeySchedule.Derive(ExtendedTestSession.Bytes(random, 32), ExtendedTestSession.Bytes(random, 60), ExtendedTestSession.Bytes(random, 60));
        var bcl = new ExtendedChannelOptions { Aead = ExtendedAeadProvider.Bcl, RekeyAfterFrames = 50 };
        var otherOptions = bcl with { Aead = other };
        var bclEncoder = new ExtendedFrameEncoder(secrets, weAreDialler: true, bcl);
        var otherEncoder = new ExtendedFrameEncoder(secrets, weAreDialler: true, otherOptions);
        var bclDecoder = new ExtendedFrameDecoder(secrets, weAreDialler: false, bcl);
        var otherDecoder = new ExtendedFrameDecoder(secrets, weAreDialler: false, otherOptions);

        // Sizes around the block size and the largest, across two rekeys.
        var sizes = Enumerable.Range(1, 40).Concat([47, 48, 49, 208, 1000, 4095, 4096]).Concat(Enumerable.Range(0, 80).Select(_ => 1 + random.Next(4096)));
        foreach (var size in sizes)
        {
            var plaintext = ExtendedTestSession.Bytes(random, size);
            var fromBcl = ExtendedTestSession.Seal(bclEncoder, WireMessageType.PfKey, plaintext);
            var fromOther = ExtendedTestSession.Seal(otherEncoder, WireMessageType.PfKey, plaintext);
            Assert.Equal(fromBcl, fromOther);

            var byOther = ExtendedTestSession.Open(otherDecoder, fromBcl);
            var byBcl = ExtendedTestSession.Open(bclDecoder, fromOther);
            Assert.Equal(FrameDecodeStatus.Frame, byOther.Status);
            Assert.Equal(FrameDecodeStatus.Frame, byBcl.Status);
            Assert.Equal(plaintext, byOther.Plaintext);
            Assert.Equal(plaintext, byBcl.Plaintext);
        }

        Assert.True(bclEncoder.Generation >= 2);
    }
}
