namespace Sasync.Core.Control;

/// <summary>Answers control requests; the daemon host implements it over its engine and platform.</summary>
public interface IControlHandler
{
    ValueTask<ControlReply> HandleAsync(ControlRequest request, CancellationToken cancellationToken);
}
