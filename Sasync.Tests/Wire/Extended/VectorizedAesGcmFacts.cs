using Sasync.Core.Wire.Extended;

namespace Sasync.Tests.Wire.Extended;

/// <summary>A fact about the vectorized AES-GCM; skipped on a CPU without AES-NI and PCLMULQDQ.</summary>
public sealed class VectorizedAesGcmFactAttribute : FactAttribute
{
    public VectorizedAesGcmFactAttribute()
    {
        if (!VectorizedAesGcmCipher.IsSupported)
        {
            Skip = "needs AES-NI and PCLMULQDQ";
        }
    }
}

/// <summary>A theory about the vectorized AES-GCM; skipped on a CPU without AES-NI and PCLMULQDQ.</summary>
public sealed class VectorizedAesGcmTheoryAttribute : TheoryAttribute
{
    public VectorizedAesGcmTheoryAttribute()
    {
        if (!VectorizedAesGcmCipher.IsSupported)
        {
            Skip = "needs AES-NI and PCLMULQDQ";
        }
    }
}
