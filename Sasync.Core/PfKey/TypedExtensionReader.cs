namespace Sasync.Core.PfKey;

/// <summary>The shape of every typed record's <c>TryRead</c>, so callers can pass one as a value.</summary>
public delegate bool TypedExtensionReader<T>(PfKeyExtension extension, out T value, out PfKeyError error);
