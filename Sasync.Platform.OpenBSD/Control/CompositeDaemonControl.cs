using Sasync.Core.Config;
using Sasync.Core.Platform;

namespace Sasync.Platform.OpenBSD.Control;

/// <summary>
/// Several daemon controls switched together (<c>control all</c>): every one is tried, and if any
/// failed the failures are reported together afterwards. With none (<c>control none</c>) it does nothing.
/// </summary>
internal sealed class CompositeDaemonControl(IReadOnlyList<IDaemonControl> controls) : IDaemonControl
{
    public IReadOnlyList<IDaemonControl> Controls { get; } = controls ?? throw new ArgumentNullException(nameof(controls));

    /// <summary>The controls a <c>control</c> setting asks for, with the given FIFO and socket paths.</summary>
    public static CompositeDaemonControl For(
        DaemonControlMode mode,
        string isakmpdFifo = IsakmpdFifoControl.DefaultPath,
        string ikedSocket = IkedSocketControl.DefaultPath) => mode switch
    {
        DaemonControlMode.Isakmpd => new([new IsakmpdFifoControl(isakmpdFifo)]),
        DaemonControlMode.Iked => new([new IkedSocketControl(ikedSocket)]),
        DaemonControlMode.All => new([new IsakmpdFifoControl(isakmpdFifo), new IkedSocketControl(ikedSocket)]),
        _ => new([]),
    };

    public async ValueTask SetActiveAsync(bool active, CancellationToken cancellationToken)
    {
        List<Exception>? failures = null;
        foreach (var control in Controls)
        {
            try
            {
                await control.SetActiveAsync(active, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                (failures ??= []).Add(e);
            }
        }

        if (failures is { Count: 1 })
        {
            throw failures[0] is DaemonControlException single ? single : new DaemonControlException(failures[0].Message, failures[0]);
        }

        if (failures is not null)
        {
            throw new DaemonControlException(
                string.Join("; ", failures.Select(f => f.Message)),
                new AggregateException(failures));
        }
    }
}
