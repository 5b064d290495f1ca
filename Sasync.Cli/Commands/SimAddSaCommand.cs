using System.CommandLine;
using System.Security.Cryptography;
using Sasync.Core.Hosting;
using Sasync.Core.PfKey;
using Sasync.Core.Simulation;

namespace Sasync.Cli.Commands;

/// <summary>
/// <c>sim add-sa</c>: builds the ADD an IKE daemon writes for an ESP tunnel SA (AES and HMAC-SHA2-256, hard lifetime
/// 3600 s, soft 3240 s) and injects it into the simulated kernel, so an example needs no hex.
/// </summary>
internal static class SimAddSaCommand
{
    public static Command Create(CliConsole console)
    {
        var spi = SimValues.Spi();
        var source = SimValues.Address("--src", "192.0.2.1", "The SA's source, this gateway");
        var destination = SimValues.Address("--dst", "198.51.100.1", "The SA's destination, the remote gateway");
        var encryptionKey = SimValues.Key("--enc-key", "The AES key: 16, 24 or 32 bytes in hex (default: 32 random bytes)", 16, 24, 32);
        var authenticationKey = SimValues.Key("--auth-key", "The HMAC-SHA2-256 key: 32 bytes in hex (default: random)", 32);
        var pid = SimCommand.PidOption();
        var control = ControlOptions.Path();
        var command = new Command("add-sa", "Add an ESP tunnel SA to the simulated kernel, as isakmpd or iked would")
        {
            spi, source, destination, encryptionKey, authenticationKey, pid, control,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var writer = (uint)(parse.GetValue(pid) ?? SimulationControlHandler.DefaultInjectPid);
            var message = IkeDaemonMessages.AddEspSa(
                writer,
                1,
                parse.GetValue(spi) ?? (uint)RandomNumberGenerator.GetInt32(0x100, int.MaxValue),
                parse.GetValue(source)!,
                parse.GetValue(destination)!,
                GivenOrRandom(parse.GetValue(encryptionKey)),
                GivenOrRandom(parse.GetValue(authenticationKey)));
            var exit = await SimCommand.InjectAsync(parse.GetValue(control)!, Convert.ToHexString(message), writer, console, cancellationToken).ConfigureAwait(false);
            if (exit == 0)
            {
                await console.Out.WriteLineAsync($"injected {PfKeyTrace.Describe(message)}").ConfigureAwait(false);
            }

            return exit;
        });
        return command;
    }

    // The parser hands an array option that was not given over as an empty array, never as null.
    private static byte[] GivenOrRandom(byte[]? key) => key is { Length: > 0 } ? key : RandomNumberGenerator.GetBytes(32);
}
