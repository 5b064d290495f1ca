using System.Text.Json;
using Sasync.Core.Config;
using Sasync.Core.Wire;

namespace Sasync.Tests.Wire;

/// <summary>One frame written by OpenBSD sasyncd's own C code (Sasync.Tests/Vectors/frames.json).</summary>
public sealed record FrameVector(string Name, byte[] Key, byte[] Iv, WireMessageType Type, byte[] Plaintext, byte[] Frame, bool AcceptedByOriginal)
{
    public SharedKey SharedKey => new(Key);

    public override string ToString() => Name;
}

public static class FrameVectors
{
    /// <summary>How many frames the recording holds; a shorter file means cases were lost.</summary>
    public const int Count = 44;

    private static readonly Lazy<IReadOnlyList<FrameVector>> Cases = new(Load);

    /// <summary>Where the build copies the recording (Sasync.Tests/Vectors/frames.json).</summary>
    public static string FilePath => Path.Combine(AppContext.BaseDirectory, "Vectors", "frames.json");

    public static IReadOnlyList<FrameVector> All => Cases.Value;

    public static FrameVector Named(string name) => All.Single(v => v.Name == name);

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var vector in All)
        {
            data.Add(vector.Name);
        }

        return data;
    }

    private static IReadOnlyList<FrameVector> Load()
    {
        if (!File.Exists(FilePath))
        {
            // Thrown while xunit enumerates the theories, so every vector theory fails by name.
            throw new FileNotFoundException($"the frame vectors are missing: {FilePath} (Sasync.Tests/Vectors/frames.json in the repository)", FilePath);
        }

        using var document = JsonDocument.Parse(File.ReadAllBytes(FilePath));
        return document.RootElement.GetProperty("cases").EnumerateArray().Select(c => new FrameVector(
            c.GetProperty("name").GetString()!,
            Convert.FromHexString(c.GetProperty("key").GetString()!),
            Convert.FromHexString(c.GetProperty("iv").GetString()!),
            (WireMessageType)c.GetProperty("type").GetUInt32(),
            Convert.FromHexString(c.GetProperty("plaintext").GetString()!),
            Convert.FromHexString(c.GetProperty("frame").GetString()!),
            c.GetProperty("acceptedByOriginal").GetBoolean())).ToList();
    }
}
