using System.Buffers.Binary;
using System.Text;

namespace Sasync.Tests.Packaging;

/// <summary>
/// The smallest ELF64 little-endian amd64 executable header that names its OS: an OS/ABI byte and
/// one PT_NOTE segment holding a single note, as OpenBSD's ("OpenBSD", type 1) or GNU's ABI tag.
/// Enough for install.sh's check, which reads nothing else.
/// </summary>
public static class ElfImage
{
    private const int HeaderSize = 64;
    private const int ProgramHeaderSize = 56;

    public static byte[] Build(byte osAbi, string? noteName, uint noteType = 1)
    {
        var name = noteName is null ? [] : Encoding.ASCII.GetBytes(noteName + "\0");
        var paddedName = (name.Length + 3) / 4 * 4;
        var noteOffset = HeaderSize + ProgramHeaderSize;
        var noteSize = noteName is null ? 0 : 12 + paddedName + 4;
        var image = new byte[noteOffset + noteSize];

        "\u007fELF"u8.CopyTo(image);
        image[4] = 2; // ELFCLASS64
        image[5] = 1; // ELFDATA2LSB
        image[6] = 1; // EV_CURRENT
        image[7] = osAbi;
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(16), 2); // ET_EXEC
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(18), 62); // EM_X86_64
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(20), 1);
        BinaryPrimitives.WriteUInt64LittleEndian(image.AsSpan(32), HeaderSize); // e_phoff
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(52), HeaderSize);
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(54), ProgramHeaderSize);
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(56), 1); // e_phnum

        var program = image.AsSpan(HeaderSize);
        BinaryPrimitives.WriteUInt32LittleEndian(program, 4); // PT_NOTE
        BinaryPrimitives.WriteUInt64LittleEndian(program[8..], (ulong)noteOffset);
        BinaryPrimitives.WriteUInt64LittleEndian(program[32..], (ulong)noteSize);
        BinaryPrimitives.WriteUInt64LittleEndian(program[40..], (ulong)noteSize);

        if (noteName is not null)
        {
            var note = image.AsSpan(noteOffset);
            BinaryPrimitives.WriteUInt32LittleEndian(note, (uint)name.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(note[4..], 4);
            BinaryPrimitives.WriteUInt32LittleEndian(note[8..], noteType);
            name.CopyTo(note[12..]);
        }

        return image;
    }
}
