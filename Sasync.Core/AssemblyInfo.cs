using System.Runtime.CompilerServices;

// The validators, sync rules and snapshot machinery are internal; the platform library, the command line
// (assembly sasyncd-cs) and the tests use them directly. NSubstitute proxies internal interfaces through Castle's dynamic assembly.
[assembly: InternalsVisibleTo("Sasync.Platform.OpenBSD")]
[assembly: InternalsVisibleTo("sasyncd-cs")]
[assembly: InternalsVisibleTo("Sasync.Tests")]
[assembly: InternalsVisibleTo("DynamicProxyGenAssembly2")]
