namespace Sasync.Core.Control;

/// <summary>Answers control requests; the daemon host implements it over its engine and platform.</summary>
public interface IControlHandler
{
    /// <summary>Answers one parsed request; the server writes the reply and serves the next line.</summary>
    /// <param name="request">The request, its <c>command</c> already a string.</param>
    /// <param name="cancellationToken">Cancelled when the request timeout passes or the server stops.</param>
    /// <returns>
    /// The reply; an unknown command or a bad argument is a <see cref="ControlReply.Failure"/>. An exception is
    /// logged as a handler failure and replied as a failure with its message.
    /// </returns>
    ValueTask<ControlReply> HandleAsync(ControlRequest request, CancellationToken cancellationToken);
}
