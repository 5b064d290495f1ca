using System.CommandLine;

namespace Sasync.Cli.Commands;

/// <summary>What <c>decode frame --extended</c> was given: one direction's keys, or the shared key's inputs to derive them.</summary>
internal sealed record ExtendedFrameRequest(
    bool Enabled,
    string? TrafficKeyHex,
    string? NonceSaltHex,
    long? Generation,
    long? Sequence,
    string? DiallerHelloHex,
    string? AcceptorHelloHex,
    string? From)
{
    /// <summary>An extended-only option given without <c>--extended</c>, or null.</summary>
    public string? MisplacedOption => Enabled ? null
        : TrafficKeyHex is not null ? "--traffic-key"
        : NonceSaltHex is not null ? "--nonce-salt"
        : Generation is not null ? "--generation"
        : Sequence is not null ? "--sequence"
        : DiallerHelloHex is not null ? "--dialler-hello"
        : AcceptorHelloHex is not null ? "--acceptor-hello"
        : From is not null ? "--from"
        : null;
}

/// <summary>The options of <c>decode frame</c> for the extended channel.</summary>
internal sealed record ExtendedFrameOptions(
    Option<bool> Extended,
    Option<string?> TrafficKey,
    Option<string?> NonceSalt,
    Option<long?> Generation,
    Option<long?> Sequence,
    Option<string?> DiallerHello,
    Option<string?> AcceptorHello,
    Option<string?> From)
{
    public static ExtendedFrameOptions Create() => new(
        new Option<bool>("--extended") { Arity = ArgumentArity.Zero, Description = "The frame is one of the extended channel (AES-256-GCM between sasyncd-cs nodes)" },
        new Option<string?>("--traffic-key") { HelpName = "HEX", Description = "Extended: the 32-byte traffic key of the frame's direction, in hex (of --generation)" },
        new Option<string?>("--nonce-salt") { HelpName = "HEX", Description = "Extended: the 4-byte nonce salt of the frame's direction, in hex" },
        IntOption.Optional("--generation", 0, uint.MaxValue, "Extended: the key generation --traffic-key belongs to (default 0); a frame of a later one is opened with the key ratcheted forward"),
        IntOption.Optional("--sequence", 0, long.MaxValue, "Extended: the sequence number the frame must carry (default: whatever it carries)"),
        new Option<string?>("--dialler-hello") { HelpName = "HEX", Description = "Extended, with --key: the dialling side's HELLO plaintext, in hex" },
        new Option<string?>("--acceptor-hello") { HelpName = "HEX", Description = "Extended, with --key: the accepting side's HELLO plaintext, in hex" },
        new Option<string?>("--from") { HelpName = "dialler|acceptor", Description = "Extended, with --key: which side sent the frame" }.OneOf("dialler", "acceptor"));

    public ExtendedFrameRequest Read(ParseResult parse) => new(
        parse.GetValue(Extended),
        parse.GetValue(TrafficKey),
        parse.GetValue(NonceSalt),
        parse.GetValue(Generation),
        parse.GetValue(Sequence),
        parse.GetValue(DiallerHello),
        parse.GetValue(AcceptorHello),
        parse.GetValue(From));
}
