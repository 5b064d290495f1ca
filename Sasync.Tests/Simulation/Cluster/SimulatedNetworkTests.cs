using Sasync.Core.Simulation.Cluster;

namespace Sasync.Tests.Simulation.Cluster;

/// <summary>The in-memory network behaves as TCP does where the simulator relies on it.</summary>
public sealed class SimulatedNetworkTests
{
    private readonly VirtualScheduler _scheduler = new();
    private readonly SimulatedNetwork _network;
    private readonly List<SimulatedSocket> _accepted = [];

    public SimulatedNetworkTests() => _network = new SimulatedNetwork(_scheduler, new Random(3), new SimulationTrace(_scheduler, enabled: false));

    private (SimulatedSocket Client, SimulatedSocket Server) Connect()
    {
        Assert.True(_network.Listen("10.0.0.2", _accepted.Add));
        SimulatedSocket? client = null;
        _network.Connect("10.0.0.1", "10.0.0.2", TimeSpan.FromSeconds(5), (socket, _) => client = socket);
        _scheduler.RunUntil(_scheduler.Elapsed + TimeSpan.FromSeconds(1));
        Assert.NotNull(client);
        return (client, Assert.Single(_accepted));
    }

    private static byte[] Read(SimulatedSocket socket)
    {
        var queue = new ByteQueue();
        socket.ReadAll(queue);
        return queue.Memory.ToArray();
    }

    [Fact]
    public void Bytes_arrive_whole_and_in_order_however_they_are_cut()
    {
        var (client, server) = Connect();
        var sent = Enumerable.Range(0, 200).Select(i => Enumerable.Range(0, 97).Select(b => (byte)(i + b)).ToArray()).ToList();
        var received = new List<byte>();
        var reads = 0;
        server.Readable = () => reads++;

        foreach (var chunk in sent)
        {
            client.Write(chunk);
            _scheduler.RunUntil(_scheduler.Elapsed + TimeSpan.FromMilliseconds(1));
            received.AddRange(Read(server));
        }

        _scheduler.RunUntil(_scheduler.Elapsed + TimeSpan.FromSeconds(1));
        received.AddRange(Read(server));

        Assert.Equal(sent.SelectMany(c => c), received);
        Assert.True(reads > sent.Count, $"{reads} arrivals for {sent.Count} writes: nothing was cut");
    }

    [Fact]
    public void Nobody_listening_is_refused_and_a_partition_times_out()
    {
        string? refused = null;
        _network.Connect("10.0.0.1", "10.0.0.9", TimeSpan.FromSeconds(5), (_, error) => refused = error);
        _scheduler.RunUntil(TimeSpan.FromMilliseconds(100));
        Assert.Equal("connection refused", refused);

        Assert.True(_network.Listen("10.0.0.2", _accepted.Add));
        _network.Partition("10.0.0.2", "10.0.0.1", oneWay: true);
        string? timedOut = null;
        _network.Connect("10.0.0.1", "10.0.0.2", TimeSpan.FromSeconds(5), (_, error) => timedOut = error);
        _scheduler.RunUntil(TimeSpan.FromSeconds(4));
        Assert.Null(timedOut);
        _scheduler.RunUntil(TimeSpan.FromSeconds(6));
        Assert.Equal("connection timed out", timedOut);
        Assert.Empty(_accepted);
    }

    [Fact]
    public void A_partition_that_heals_in_time_loses_nothing_and_a_long_one_times_the_sender_out()
    {
        var (client, server) = Connect();
        _network.Partition("10.0.0.1", "10.0.0.2", oneWay: true);
        client.Write([1, 2, 3]);
        _scheduler.RunUntil(_scheduler.Elapsed + TimeSpan.FromSeconds(10));
        Assert.Equal(0, server.Available);

        _network.Heal("10.0.0.1", "10.0.0.2");
        _scheduler.RunUntil(_scheduler.Elapsed + TimeSpan.FromSeconds(1));
        Assert.Equal([1, 2, 3], Read(server));

        _network.Partition("10.0.0.1", "10.0.0.2", oneWay: false);
        client.Write([4]);
        _scheduler.RunUntil(_scheduler.Elapsed + _network.Timings.RetransmitTimeout + TimeSpan.FromSeconds(1));
        Assert.Equal("connection timed out", client.Error);
        Assert.Null(server.Error); // an idle end never learns
    }

    [Fact]
    public void A_reader_that_stops_reading_fills_the_window()
    {
        var (client, server) = Connect();
        var block = new byte[16 * 1024];
        var written = 0;
        while (client.Space > 0)
        {
            client.Write(block);
            written += block.Length;
            _scheduler.RunUntil(_scheduler.Elapsed + TimeSpan.FromMilliseconds(10));
        }

        Assert.InRange(written, _network.Timings.Window, _network.Timings.Window + block.Length);
        var writable = false;
        client.Writable = () => writable = true;

        Read(server);
        _scheduler.RunUntil(_scheduler.Elapsed + TimeSpan.FromMilliseconds(10));

        Assert.True(writable);
        Assert.Equal(_network.Timings.Window, client.Space);
    }

    [Fact]
    public void A_reset_reaches_the_other_end_and_a_close_ends_its_stream_after_the_data()
    {
        var (client, server) = Connect();
        client.Write([9, 9]);
        client.Close();
        _scheduler.RunUntil(_scheduler.Elapsed + TimeSpan.FromSeconds(1));
        Assert.False(server.AtEnd);
        Assert.Equal([9, 9], Read(server));
        Assert.True(server.AtEnd);

        var (other, otherServer) = (Connect2());
        otherServer.Abort();
        _scheduler.RunUntil(_scheduler.Elapsed + TimeSpan.FromSeconds(1));
        Assert.Equal("connection reset by peer", other.Error);
    }

    private (SimulatedSocket Client, SimulatedSocket Server) Connect2()
    {
        _accepted.Clear();
        SimulatedSocket? client = null;
        _network.Connect("10.0.0.1", "10.0.0.2", TimeSpan.FromSeconds(5), (socket, _) => client = socket);
        _scheduler.RunUntil(_scheduler.Elapsed + TimeSpan.FromSeconds(1));
        Assert.NotNull(client);
        return (client, Assert.Single(_accepted));
    }
}
