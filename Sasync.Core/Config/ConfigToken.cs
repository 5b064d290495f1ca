namespace Sasync.Core.Config;

/// <summary>How the original's lexer classifies a whitespace-separated word.</summary>
internal enum ConfigTokenKind
{
    /// <summary>A keyword or a string (name, address, ASCII key).</summary>
    Word,

    /// <summary>Starts with a digit and holds no <c>.</c> or <c>:</c> (those are addresses).</summary>
    Number,

    /// <summary><c>0x</c> followed only by hex digits.</summary>
    Hex,
}

/// <summary>One word of sasyncd.conf with the 1-based position of its first character.</summary>
internal sealed record ConfigToken(ConfigTokenKind Kind, string Text, int Line, int Column)
{
    public static ConfigToken Classify(string text, int line, int column) => new(KindOf(text), text, line, column);

    private static ConfigTokenKind KindOf(string text)
    {
        if (text.StartsWith("0x", StringComparison.Ordinal))
        {
            // "0x" with anything else than hex digits is a string, as in the original.
            return text.AsSpan(2).ContainsAnyExcept(SharedKey.HexDigits) ? ConfigTokenKind.Word : ConfigTokenKind.Hex;
        }

        return char.IsAsciiDigit(text[0]) && !text.AsSpan().ContainsAny('.', ':') ? ConfigTokenKind.Number : ConfigTokenKind.Word;
    }

    public bool IsWord(string text) => Kind == ConfigTokenKind.Word && Text == text;
}
