using Org.BouncyCastle.Crypto.Engines;

namespace Sasync.Tests.Wire;

/// <summary>A fact about BouncyCastle's AES-NI engine; skipped on a CPU without AES-NI.</summary>
public sealed class AesNiFactAttribute : FactAttribute
{
    public AesNiFactAttribute()
    {
        if (!AesEngine_X86.IsSupported)
        {
            Skip = "needs AES-NI";
        }
    }
}
