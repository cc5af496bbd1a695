using System.Net;
using System.Net.Sockets;

namespace LeakHound.Tests.Census;

/// <summary>
/// Real TCP connections on loopback inside this process: a listener on 127.0.0.1 and one on [::1],
/// IPv4, IPv6 and dual-mode (v4-mapped) clients, and some whose server side was closed so the
/// client side sits in CLOSE_WAIT.
/// </summary>
internal sealed class LoopbackConnections : IDisposable
{
    private readonly List<Socket> _sockets = [];

    public LoopbackConnections(int v4Clients, int v6Clients, int mappedClients, int closedV4, int closedV6)
    {
        Listener4 = Listen(IPAddress.Loopback);
        Listener6 = Listen(IPAddress.IPv6Loopback);
        Connect(Listener4, AddressFamily.InterNetwork, IPAddress.Loopback, v4Clients, closedV4);
        Connect(Listener6, AddressFamily.InterNetworkV6, IPAddress.IPv6Loopback, v6Clients, closedV6);
        Connect(Listener4, AddressFamily.InterNetworkV6, IPAddress.Loopback, mappedClients, 0);
    }

    public Socket Listener4 { get; }

    public Socket Listener6 { get; }

    public string Endpoint4 => $"127.0.0.1:{((IPEndPoint)Listener4.LocalEndPoint!).Port}";

    public string Endpoint6 => $"[::1]:{((IPEndPoint)Listener6.LocalEndPoint!).Port}";

    public string MappedEndpoint4 => $"[::ffff:127.0.0.1]:{((IPEndPoint)Listener4.LocalEndPoint!).Port}";

    private Socket Listen(IPAddress address)
    {
        var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _sockets.Add(listener);
        listener.Bind(new IPEndPoint(address, 0));
        listener.Listen(512);
        return listener;
    }

    private void Connect(Socket listener, AddressFamily family, IPAddress address, int count, int closeServerSide)
    {
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        for (var i = 0; i < count; i++)
        {
            var client = new Socket(family, SocketType.Stream, ProtocolType.Tcp);
            if (family == AddressFamily.InterNetworkV6 && address.AddressFamily == AddressFamily.InterNetwork)
            {
                client.DualMode = true;
            }

            _sockets.Add(client);
            client.Connect(address, port);
            var server = listener.Accept();
            if (i < closeServerSide)
            {
                server.Dispose();
            }
            else
            {
                _sockets.Add(server);
            }
        }
    }

    public void Dispose()
    {
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }
    }
}
