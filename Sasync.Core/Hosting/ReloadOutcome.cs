using System.Collections.Immutable;
using Sasync.Core.Config;

namespace Sasync.Core.Hosting;

/// <summary>What a reload did.</summary>
/// <param name="Applied">The new settings run now; false when the file had errors and the running configuration was kept.</param>
/// <param name="Diagnostics">The file's diagnostics (errors when not applied, warnings otherwise).</param>
/// <param name="NeedRestart">Changed settings that take effect only after a restart (<c>interface</c>, <c>listen</c>, …).</param>
public sealed record ReloadOutcome(bool Applied, ImmutableArray<Diagnostic> Diagnostics, ImmutableArray<string> NeedRestart);
