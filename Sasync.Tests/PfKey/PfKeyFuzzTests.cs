using System.Buffers;
using System.Text.Json;
using Sasync.Core.PfKey;

namespace Sasync.Tests.PfKey;

public class PfKeyFuzzTests
{
    private static IEnumerable<byte[]> GoldenMessages() =>
        PfKeyMessageGoldenTests.Messages.Select(row => (byte[])row[1]);

    private static string Json(PfKeyMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            PfKeyJsonWriter.WriteMessage(writer, message);
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.GetProperty("type").ToString();
    }

    // What must hold for any message that parses: it rebuilds exactly, every typed record
    // rewrites to something that reads back the same, and the JSON is well formed.
    private static void CheckParsed(byte[] bytes, PfKeyMessage message)
    {
        Assert.True(bytes.AsSpan().SequenceEqual(PfKeyMessageBuilder.From(message).Build()), "parse then build changed the bytes");
        foreach (var typed in message.ReadTypedExtensions())
        {
            var once = new byte[typed.ByteLength];
            typed.Write(once);
            Assert.True(PfKeyExtensionReader.TryRead(new PfKeyExtension(typed.Type, once), out var again, out var error), error.ToString());
            var twice = new byte[again.ByteLength];
            again.Write(twice);
            Assert.True(once.AsSpan().SequenceEqual(twice), $"{typed.Type} did not read back what it wrote");
        }

        Assert.False(string.IsNullOrEmpty(Json(message)));
    }

    [Fact]
    public void Random_messages_with_a_plausible_header_never_throw()
    {
        var random = new Random(20261127);
        var parsed = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = new byte[16 + (8 * random.Next(0, 12))];
            random.NextBytes(bytes);
            bytes[4] = (byte)(bytes.Length / 8);
            bytes[5] = 0;
            // Give the extension walker a fair chance: small lengths, known types.
            for (var offset = 16; offset + 4 <= bytes.Length; offset += 8)
            {
                if (random.Next(2) == 0)
                {
                    bytes[offset] = (byte)random.Next(1, 4);
                    bytes[offset + 1] = 0;
                    bytes[offset + 2] = (byte)random.Next(0, 45);
                    bytes[offset + 3] = 0;
                }
            }

            if (PfKeyMessage.TryParse(bytes, out var message, out var error))
            {
                parsed++;
                CheckParsed(bytes, message);
            }
            else
            {
                Assert.InRange(error.Offset, 0, bytes.Length);
                Assert.False(string.IsNullOrEmpty(error.Message));
            }

            _ = PfKeyMessage.TryParseDump(bytes, out _, out _);
        }

        Assert.True(parsed > 0, "no random message parsed, so the checks on parsed messages never ran");
    }

    [Fact]
    public void Every_truncation_of_every_golden_message_is_an_error_or_a_shorter_whole_message()
    {
        foreach (var bytes in GoldenMessages())
        {
            for (var length = 0; length < bytes.Length; length++)
            {
                var cut = bytes[..length];
                Assert.False(PfKeyMessage.TryParse(cut, out _, out _));
                if (length >= 16)
                {
                    // The same cut with the header telling the truth about its length.
                    cut[4] = (byte)(length / 8);
                    cut[5] = 0;
                    if (PfKeyMessage.TryParse(cut, out var message, out _))
                    {
                        Assert.Equal(0, length % 8);
                        CheckParsed(cut, message);
                    }
                }

                _ = PfKeyMessage.TryParseDump(cut, out _, out _);
            }
        }
    }

    [Fact]
    public void Mutated_golden_messages_never_throw()
    {
        var random = new Random(7);
        var goldens = GoldenMessages().ToArray();
        var parsed = 0;
        for (var i = 0; i < 5_000; i++)
        {
            var bytes = (byte[])goldens[random.Next(goldens.Length)].Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                bytes[random.Next(4 + 2, bytes.Length)] = (byte)random.Next(256); // keep the header length
            }

            if (PfKeyMessage.TryParse(bytes, out var message, out _))
            {
                parsed++;
                CheckParsed(bytes, message);
            }
        }

        Assert.True(parsed > 0);
    }

    [Fact]
    public void Random_extensions_of_every_type_never_throw_in_the_readers()
    {
        var random = new Random(11);
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = new byte[random.Next(0, 96)];
            random.NextBytes(bytes);
            var extension = new PfKeyExtension((SadbExtensionType)random.Next(0, 45), bytes);
            if (PfKeyExtensionReader.TryRead(extension, out var typed, out _) && typed is not PfKeyExtension)
            {
                var written = new byte[typed.ByteLength];
                typed.Write(written);
                Assert.Equal(0, written.Length % 8);
            }
        }

        Assert.True(PfKeyExtensionReader.TryRead(new PfKeyExtension(SadbExtensionType.XMtu, PfKeyGolden.Bytes(PfKeyGolden.Mtu)), out var mtu, out _));
        Assert.Equal(new MtuExtension(1400), mtu);
    }
}
