namespace Sasync.Core.Sessions;

/// <summary>Fills a HELLO's nonce: cryptographically random in a daemon, seeded in a simulation.</summary>
public delegate void NonceSource(Span<byte> destination);
