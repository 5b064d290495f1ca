using System.Collections.Frozen;
using Sasync.Core.PfKey;

namespace Sasync.Tests.PfKey;

public class AllowedExtensionsTests
{
    public static TheoryData<string> Sets => new() { "add", "addflow", "other" };

    private static FrozenSet<SadbExtensionType> SetNamed(string name) => name switch
    {
        "add" => AllowedExtensions.InAdd,
        "addflow" => AllowedExtensions.InAddFlow,
        _ => new[] { SadbExtensionType.Sa, SadbExtensionType.XIface, (SadbExtensionType)200 }.ToFrozenSet(),
    };

    [Theory]
    [MemberData(nameof(Sets))]
    public void Allows_answers_as_the_set_does_for_every_type_number(string name)
    {
        var set = SetNamed(name);
        for (var n = 0; n <= ushort.MaxValue; n++)
        {
            var type = (SadbExtensionType)n;
            Assert.Equal(set.Contains(type), set.Allows(type));
        }
    }

    [Fact]
    public void The_add_sets_keep_the_addresses_and_drop_what_the_kernel_refuses()
    {
        Assert.True(AllowedExtensions.InAdd.Allows(SadbExtensionType.AddressSrc));
        Assert.False(AllowedExtensions.InAdd.Allows(SadbExtensionType.XCounter));
        Assert.True(AllowedExtensions.InAddFlow.Allows(SadbExtensionType.XFlowType));
        Assert.False(AllowedExtensions.InAddFlow.Allows(SadbExtensionType.KeyEncrypt));
    }
}
