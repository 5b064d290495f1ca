using System.Text;
using System.Text.Json;
using Sasync.Core.Hosting;
using Sasync.Core.Net;
using Sasync.Core.Wire;

namespace Sasync.Tests.Hosting;

public class FramesRejectedTests
{
    [Fact]
    public void Sessions_closed_by_malformed_frames_are_counted_by_reason_in_the_status_json()
    {
        using var h = new NodeCoreHarness();
        h.Start();
        FrameError[] errors = [FrameError.BadPadLength, FrameError.BadLength, FrameError.HashMismatch, FrameError.HashMismatch];
        for (var i = 0; i < errors.Length; i++)
        {
            h.LinkUp("peer-a", i + 1);
            h.Handle(new PeerLinkDown("peer-a", i + 1, $"bad frame: {errors[i].Describe()}", BadFrame: errors[i]));
        }

        Assert.Equal("session ended: bad frame: " + FrameError.HashMismatch.Describe(), h.Engine.Peers.Single().LastError);
        h.LinkUp("peer-a", 10);
        h.Handle(new PeerLinkDown("peer-a", 10, "connection closed by peer")); // no bad frame: not counted

        var counters = StatusJson(h.Core.Status()).GetProperty("counters");
        Assert.Equal(4, counters.GetProperty("framesRejected").GetInt64());
        var byReason = counters.GetProperty("framesRejectedByReason");
        Assert.Equal(1, byReason.GetProperty("BadPadLength").GetInt64());
        Assert.Equal(1, byReason.GetProperty("BadLength").GetInt64());
        Assert.Equal(2, byReason.GetProperty("HashMismatch").GetInt64());
        Assert.Equal(3, byReason.EnumerateObject().Count());
    }

    [Fact]
    public void A_bad_frame_on_a_link_that_never_came_up_still_counts_and_leaves_the_session_alone()
    {
        using var h = new NodeCoreHarness();
        h.Start();
        h.LinkUp("peer-a", 1);

        h.Handle(new PeerLinkDown("peer-a", 2, "bad frame: " + FrameError.HashMismatch.Describe(), BadFrame: FrameError.HashMismatch)); // a second connection, never up
        h.Handle(new PeerLinkDown("peer-b", 3, "bad frame: " + FrameError.BadLength.Describe(), BadFrame: FrameError.BadLength)); // a stranger's

        var status = h.Core.Status().Engine;
        Assert.Equal(2, status.Counters.FramesRejected);
        Assert.Equal(1, status.Counters.FramesRejectedByReason[FrameError.HashMismatch]);
        Assert.Equal(1, status.Counters.FramesRejectedByReason[FrameError.BadLength]);
        var peer = status.Peers.Single();
        Assert.True(peer.Connected);
        Assert.Equal("session ended: bad frame: " + FrameError.HashMismatch.Describe(), peer.LastError);
    }

    [Fact]
    public void The_json_has_an_empty_by_reason_object_before_any_bad_frame()
    {
        using var h = new NodeCoreHarness();
        h.Start();

        var counters = StatusJson(h.Core.Status()).GetProperty("counters");

        Assert.Equal(0, counters.GetProperty("framesRejected").GetInt64());
        Assert.Equal(JsonValueKind.Object, counters.GetProperty("framesRejectedByReason").ValueKind);
        Assert.Empty(counters.GetProperty("framesRejectedByReason").EnumerateObject());
    }

    private static JsonElement StatusJson(NodeStatus status)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            NodeStatusJson.Write(writer, status);
        }

        return JsonDocument.Parse(Encoding.UTF8.GetString(stream.ToArray())).RootElement.Clone();
    }
}
