using System.Text.Json;
using Sasync.Core.Config;
using Sasync.Core.Wire;

namespace Sasync.Tests.Wire;

/// <summary>One frame written by OpenBSD sasyncd's own C code (../shared/vectors/frames.json).</summary>
public sealed record FrameVector(string Name, byte[] Key, byte[] Iv, WireMessageType Type, byte[] Plaintext, byte[] Frame, bool AcceptedByOriginal)
{
    public SharedKey SharedKey => new(Key);

    public override string ToString() => Name;
}

public static class FrameVectors
{
    private static readonly Lazy<IReadOnlyList<FrameVector>> Cases = new(Load);

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
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Vectors", "frames.json")));
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
