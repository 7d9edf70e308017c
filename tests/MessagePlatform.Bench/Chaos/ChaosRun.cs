using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace MessagePlatform.Bench.Chaos;

public sealed record ChaosSend(string SessionId, string From, string ClientMsgId, DateTime StartedAt)
{
    public string? MsgId { get; set; }
    public long Seq { get; set; }
}

/// <summary>
/// `--chaos [seconds]`: three nodes on RabbitMQ under sends with WebSocket receivers, a random
/// node SIGKILLed every few seconds and started again; then nothing acknowledged may be lost,
/// every user's sync must hold each of its messages once in seq order, and every frame must have
/// arrived or been covered by a `sync` hint or a reconnect. Prints progress and a summary; exit
/// code 1 on any violation. Its servers come from MP_CHAOS_POSTGRES and MP_CHAOS_RABBITMQ (infra/chaos.sh).
/// </summary>
public static class ChaosRun
{
    public const string AdminKey = "chaos-admin-key";
    private static readonly string[] Users = ["u0", "u1", "u2", "u3", "u4", "u5", "u6", "u7"];

    public static async Task<int> MainAsync(string[] args)
    {
        var seconds = args.Length > 0 ? int.Parse(args[0]) : 120;
        var server = Environment.GetEnvironmentVariable("MP_CHAOS_POSTGRES") ?? throw new ArgumentException("MP_CHAOS_POSTGRES is not set (run infra/chaos.sh)");
        var rabbitMq = Environment.GetEnvironmentVariable("MP_CHAOS_RABBITMQ") ?? throw new ArgumentException("MP_CHAOS_RABBITMQ is not set (run infra/chaos.sh)");
        var database = $"mp_chaos_{DateTime.UtcNow:yyyyMMdd_HHmmss}";
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"create database {database}", admin);
            await create.ExecuteNonQueryAsync();
        }
        var postgres = new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString;
        var clock = Stopwatch.StartNew();
        void Log(string line) => Console.Error.WriteLine($"[chaos {clock.Elapsed:mm\\:ss}] {line}");

        var nodes = new[] { 61, 62, 63 }.Select(id => new ChaosNode(id, postgres, rabbitMq)).ToArray();
        try
        {
            foreach (var node in nodes) await node.StartAsync(CancellationToken.None);
            Log($"three nodes up on {database}; running {seconds} s");
            Uri? AnyLive() => nodes.Where(n => n.Up).Select(n => n.Address).OrderBy(_ => Random.Shared.Next()).FirstOrDefault();

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
            var tenantId = $"chaos{Guid.NewGuid():N}"[..16];
            using var create = new HttpRequestMessage(HttpMethod.Post, new Uri(nodes[0].Address!, "/v1/tenants"))
            { Content = JsonContent.Create(new { tenantId, name = "Chaos", scenario = "enterprise" }) };
            create.Headers.Authorization = new("Bearer", AdminKey);
            using var created = await http.SendAsync(create);
            created.EnsureSuccessStatusCode();
            http.DefaultRequestHeaders.Authorization = new("Bearer", (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("appKey").GetString());

            var sessions = new List<(string Id, string[] Members)>();
            for (var i = 0; i < Users.Length; i += 2) sessions.Add(($"c2c:{Users[i]}:{Users[i + 1]}", [Users[i], Users[i + 1]]));
            sessions.Add(("g-all", Users));
            sessions.Add(("g-half", Users[..4]));
            sessions.Add(("g-odd", [.. Users.Where((_, i) => i % 2 == 1)]));
            foreach (var (id, members) in sessions)
                (await http.PostAsJsonAsync(new Uri(nodes[0].Address!, "/v1/sessions"),
                    id.StartsWith("c2c:") ? new { type = "c2c", members } : (object)new { sessionId = id, type = "group", members })).EnsureSuccessStatusCode();

            var receivers = new List<ChaosReceiver>();
            foreach (var user in Users)
            {
                using var token = await http.PostAsJsonAsync(new Uri(nodes[0].Address!, $"/v1/users/{user}/tokens"), new { });
                receivers.Add(new ChaosReceiver(user, (await token.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!, AnyLive));
            }
            using var stopReceivers = new CancellationTokenSource();
            var receiving = receivers.Select(r => Task.Run(() => r.RunAsync(stopReceivers.Token))).ToList();

            var acknowledged = new ConcurrentQueue<ChaosSend>();
            var unanswered = new ConcurrentQueue<ChaosSend>();
            var refusals = new ConcurrentDictionary<string, int>();
            var lost = 0;
            var noNodeUp = 0;
            async Task<bool> TrySendAsync(Uri node, ChaosSend send)
            {
                try
                {
                    using var answer = await http.PostAsJsonAsync(new Uri(node, $"/v1/sessions/{send.SessionId}/messages"),
                        new { from = send.From, clientMsgId = send.ClientMsgId, type = "text", body = new { text = send.ClientMsgId } });
                    if (answer.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK)
                    {
                        var body = await answer.Content.ReadFromJsonAsync<JsonElement>();
                        (send.MsgId, send.Seq) = (body.GetProperty("msgId").GetString(), body.GetProperty("seq").GetInt64());
                        return true;
                    }
                    var title = answer.Content.Headers.ContentType?.MediaType == "application/problem+json"
                        ? (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString() : null;
                    refusals.AddOrUpdate($"{(int)answer.StatusCode} {title}".Trim(), 1, (_, n) => n + 1);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                {
                    // the node died with the request in flight
                    Interlocked.Increment(ref lost);
                }
                return false;
            }

            using var stopSending = new CancellationTokenSource();
            var senders = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
            {
                var random = new Random(w);
                for (var i = 0; !stopSending.IsCancellationRequested; i++)
                {
                    var (id, members) = sessions[random.Next(sessions.Count)];
                    var send = new ChaosSend(id, members[random.Next(members.Length)], $"w{w}-{i}", DateTime.UtcNow);
                    var node = AnyLive();
                    if (node is null) Interlocked.Increment(ref noNodeUp);
                    if (node is not null && await TrySendAsync(node, send)) acknowledged.Enqueue(send);
                    else
                    {
                        unanswered.Enqueue(send);
                        await Task.Delay(100);
                    }
                }
            })).ToList();

            // The killer: a random node every 3-6 s, started again at once (its boot takes a few seconds).
            var kills = 0;
            var restarts = new List<Task>();
            var random = new Random();
            var end = DateTime.UtcNow.AddSeconds(seconds);
            var nextProgress = DateTime.UtcNow.AddSeconds(10);
            while (DateTime.UtcNow < end)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(random.Next(3000, 6000)));
                var victim = nodes.Where(n => n.Up).OrderBy(_ => random.Next()).FirstOrDefault();
                if (victim is not null)
                {
                    victim.Kill();
                    kills++;
                    restarts.Add(Task.Run(() => victim.StartAsync(CancellationToken.None)));
                }
                if (DateTime.UtcNow >= nextProgress)
                {
                    nextProgress = DateTime.UtcNow.AddSeconds(10);
                    Log($"{kills} kills; nodes up {string.Join(",", nodes.Where(n => n.Up).Select(n => n.NodeId))}; " +
                        $"{acknowledged.Count} acknowledged, {unanswered.Count} unanswered; frames {receivers.Sum(r => r.Frames.Count)}, " +
                        $"reconnects {receivers.Sum(r => r.Reconnects)}");
                }
            }
            await Task.WhenAll(restarts);
            foreach (var node in nodes.Where(n => !n.Up)) await node.StartAsync(CancellationToken.None);
            await stopSending.CancelAsync();
            await Task.WhenAll(senders);
            Log($"chaos over after {kills} kills: {acknowledged.Count} acknowledged, {unanswered.Count} unanswered; settling those with their clientMsgIds");

            foreach (var send in unanswered)
            {
                var settled = send with { };
                for (var attempt = 0; ; attempt++)
                {
                    if (await TrySendAsync(AnyLive()!, settled)) break;
                    if (attempt > 100) throw new InvalidOperationException($"could not settle {send}");
                    await Task.Delay(200);
                }
                if (acknowledged.Any(a => a.MsgId == settled.MsgId)) throw new InvalidOperationException($"{send} was answered with another send's msgId");
                acknowledged.Enqueue(settled);
            }
            return await ChaosCheck.RunAsync(http, nodes[0].Address!, acknowledged.ToList(), sessions, receivers, stopReceivers, receiving,
                kills, lost, noNodeUp, refusals, Log);
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
            await using var admin = new NpgsqlConnection(server);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"drop database if exists {database} with (force)", admin);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
