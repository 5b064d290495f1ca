using Sasync.Core.Wire;

namespace Sasync.Tests.Wire;

/// <summary>A fact about the AVX2 multi-buffer SHA-1; skipped on a CPU without AVX2.</summary>
public sealed class Avx2FactAttribute : FactAttribute
{
    public Avx2FactAttribute()
    {
        if (!MultiBufferSha1.IsSupported)
        {
            Skip = "needs AVX2";
        }
    }
}
