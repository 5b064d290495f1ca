using System.Runtime.CompilerServices;

// Native interop, kernel structs and the concrete sockets and controls are internal; the command line
// (assembly sasyncd-cs) and the tests use them directly. NSubstitute proxies internal interfaces through Castle's dynamic assembly.
[assembly: InternalsVisibleTo("sasyncd-cs")]
[assembly: InternalsVisibleTo("Sasync.Tests")]
[assembly: InternalsVisibleTo("DynamicProxyGenAssembly2")]
