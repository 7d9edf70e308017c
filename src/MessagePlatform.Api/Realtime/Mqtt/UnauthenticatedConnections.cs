using System.Net;
using Microsoft.Extensions.Options;

namespace MessagePlatform.Api.Realtime.Mqtt;

/// <summary>
/// MQTT connections that have not authenticated yet, per address and in total (`Mqtt:MaxUnauthenticated*`):
/// past either cap a new one is closed before MQTTnet reads a byte of it.
/// </summary>
public sealed class UnauthenticatedConnections(IOptions<MqttDoorOptions> options)
{
    private readonly MqttDoorOptions _options = options.Value;
    private readonly Dictionary<IPAddress, int> _byAddress = [];
    private int _total;

    public int Count { get { lock (_byAddress) return _total; } }

    /// <returns>A place to give back on authentication or close, or null when the caps are reached.</returns>
    public Admission? TryAdmit(EndPoint? remote)
    {
        var address = (remote as IPEndPoint)?.Address ?? IPAddress.None;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        lock (_byAddress)
        {
            var here = _byAddress.GetValueOrDefault(address);
            if (_total >= _options.MaxUnauthenticated || here >= _options.MaxUnauthenticatedPerAddress) return null;
            _byAddress[address] = here + 1;
            _total++;
        }
        return new Admission(this, address);
    }

    private void Release(IPAddress address)
    {
        lock (_byAddress)
        {
            _total--;
            if (_byAddress[address] == 1) _byAddress.Remove(address);
            else _byAddress[address]--;
        }
    }

    public sealed class Admission(UnauthenticatedConnections owner, IPAddress address) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) owner.Release(address);
        }
    }
}
