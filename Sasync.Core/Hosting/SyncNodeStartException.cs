using System.Collections.Immutable;
using Sasync.Core.Config;

namespace Sasync.Core.Hosting;

/// <summary>
/// <see cref="SyncNodeService"/> could not start: the configuration is invalid, the platform or the
/// listen sockets cannot be opened, or the control socket is taken. The message says which, for an operator.
/// </summary>
public sealed class SyncNodeStartException : Exception
{
    /// <summary>A start failure with its reason.</summary>
    public SyncNodeStartException(string message) : base(message) { }

    /// <summary>A start failure with its reason and the exception behind it.</summary>
    public SyncNodeStartException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>A start failure without a reason.</summary>
    public SyncNodeStartException() { }

    /// <summary>An invalid configuration, with every diagnostic of it.</summary>
    public SyncNodeStartException(string message, ImmutableArray<Diagnostic> diagnostics) : base(message) => Diagnostics = diagnostics;

    /// <summary>The configuration's diagnostics when it was invalid; empty otherwise.</summary>
    public ImmutableArray<Diagnostic> Diagnostics { get; } = [];
}
