using NSubstitute;
using Sasync.Core.Config;
using Sasync.Platform.OpenBSD.Files;
using Sasync.Platform.OpenBSD.Native;
using Sasync.Platform.OpenBSD.Structs;
using Sasync.Core.Platform;

namespace Sasync.Tests.Platform.OpenBSD;

public sealed class ConfigFileInspectorTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("sasync-conf-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void OpenBsd_stat_of_an_isakmpd_owned_0600_file_is_decoded()
    {
        var native = Substitute.For<INativeCalls>();
        native.Stat("/etc/sasyncd.conf", Arg.Any<Memory<byte>>()).Returns(call =>
        {
            var buffer = call.ArgAt<Memory<byte>>(1).Span;
            Assert.Equal(128, buffer.Length);
            buffer[0] = 0x80; buffer[1] = 0x81; // 0100600
            buffer[20] = 68;                   // _isakmpd
            return SysResult.Ok(0);
        });

        var facts = new OpenBsdConfigFileInspector(native, StatLayout.OpenBsdAmd64).Stat("/etc/sasyncd.conf");

        Assert.True(facts.Found);
        Assert.True(facts.Mode.IsRegularFile);
        Assert.False(facts.Mode.HasGroupOrOtherBits);
        Assert.Equal(68u, facts.OwnerUid);
    }

    [Fact]
    public void A_failed_stat_gives_its_errno()
    {
        var native = Substitute.For<INativeCalls>();
        native.Stat(Arg.Any<string>(), Arg.Any<Memory<byte>>()).Returns(SysResult.Fail(OpenBsdErrno.EACCES));
        var facts = new OpenBsdConfigFileInspector(native, StatLayout.OpenBsdAmd64).Stat("/etc/sasyncd.conf");
        Assert.False(facts.Found);
        Assert.Equal(OpenBsdErrno.EACCES, facts.Errno);
    }

    [LinuxFact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Real_files_are_described_by_the_running_systems_stat()
    {
        var path = Path.Combine(directory, "sasyncd.conf");
        File.WriteAllText(path, "interface carp0\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var inspector = new OpenBsdConfigFileInspector();

        var strict = inspector.Stat(path);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        var groupReadable = inspector.Stat(path);
        var folder = inspector.Stat(directory);
        var missing = inspector.Stat(Path.Combine(directory, "missing.conf"));

        Assert.True(strict.Found);
        Assert.True(strict.Mode.IsRegularFile);
        Assert.Equal(0x180u, strict.Mode.Permissions);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, strict.Mode.UnixPermissions);
        Assert.False(strict.Mode.HasGroupOrOtherBits);
        Assert.Equal(LibcNative.Instance.GetEffectiveUserId(), strict.OwnerUid);
        Assert.True(groupReadable.Mode.HasGroupOrOtherBits);
        Assert.False(folder.Mode.IsRegularFile);
        Assert.Equal(2, missing.Errno);
    }

    [Fact]
    public void Inspect_gives_core_the_facts_its_file_rule_needs()
    {
        var native = Substitute.For<INativeCalls>();
        native.Stat("/etc/sasyncd.conf", Arg.Any<Memory<byte>>()).Returns(call =>
        {
            var buffer = call.ArgAt<Memory<byte>>(1).Span;
            buffer[0] = 0xa0; buffer[1] = 0x81; // 0100640: group-readable
            buffer[20] = 68;
            return SysResult.Ok(0);
        });
        native.Stat("/etc/missing.conf", Arg.Any<Memory<byte>>()).Returns(SysResult.Fail(OpenBsdErrno.ENOENT));
        var inspector = new OpenBsdConfigFileInspector(native, StatLayout.OpenBsdAmd64);

        var facts = inspector.Inspect("/etc/sasyncd.conf");
        var missing = Assert.Throws<SystemCallException>(() => inspector.Inspect("/etc/missing.conf"));

        Assert.Equal(new ConfigFileFacts(true, 68, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead), facts);
        var diagnostic = Assert.Single(ConfigFileRule.Check(facts, ConfigFileCheck.Daemon));
        Assert.Contains("0640", diagnostic.Message, StringComparison.Ordinal);
        Assert.Equal(OpenBsdErrno.ENOENT, missing.Errno);
        Assert.IsAssignableFrom<IOException>(missing);
    }
}
