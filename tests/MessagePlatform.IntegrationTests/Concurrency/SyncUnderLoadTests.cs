using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Concurrency;

/// <summary>
/// The point of the sync design: positions given by concurrent transactions commit out of order,
/// and a cursor must still never skip one nor return one twice, with writers on two nodes, the
/// reader paging while they write, and the projection host killed half-way.
/// </summary>
public sealed class SyncUnderLoadTests
{
    private const string Reader = "u0";
    private static readonly string[] Users = ["u0", "u1", "u2", "u3", "u4", "u5"];

    [Fact]
    public async Task a_user_syncing_while_many_writers_write_on_two_nodes_gets_every_message_once_in_order_even_when_the_projection_host_is_killed()
    {
        var postgres = await TestServers.CreateDatabaseAsync();
        var rabbitMq = await TestServers.CreateVirtualHostAsync();
        // A starts first, so it is the one running the projections when it is killed.
        var a = await ApiProcess.StartAsync(postgres, nodeId: 11,
            new Dictionary<string, string> { ["MP_TRANSPORT"] = "rabbitmq", ["MP_RABBITMQ"] = rabbitMq });
        await using var b = new PlatformHost(postgres, nodeId: 12, transport: "rabbitmq", rabbitMq: rabbitMq);
        var tenant = await PlatformFixture.NewTenantAsync(b, b.ClientWith(PlatformHost.AdminKey));
        using var appA = a.ClientWith(tenant.AppKey);
        var appB = tenant.App;

        var sessions = new List<(string Id, string[] Members)>();
        foreach (var other in Users[1..]) sessions.Add(($"c2c:u0:{other}", ["u0", other]));
        sessions.Add(("c2c:u1:u2", ["u1", "u2"]));
        sessions.Add(("small", ["u0", "u1", "u2", "u3"]));
        sessions.Add(("no-u0", ["u1", "u2", "u3"]));
        sessions.Add(("big", [.. Users, .. Enumerable.Range(0, 500).Select(i => $"x{i}")]));
        foreach (var (id, members) in sessions)
            await appB.OpenAsync(id.StartsWith("c2c:") ? new { type = "c2c", members } : (object)new { sessionId = id, type = "group", members });

        var sent = new ConcurrentBag<(string Session, long Seq)>();
        async Task WriteAsync(int writer, int count, params HttpClient[] nodes)
        {
            var random = new Random(writer);
            for (var i = 0; i < count; i++)
            {
                var (id, members) = sessions[random.Next(sessions.Count)];
                var client = nodes[(writer + i) % nodes.Length];
                var answer = await client.SendAsync(id, members[random.Next(Math.Min(members.Length, 6))], $"w{writer}-{i}")
                    .ExpectAsync(HttpStatusCode.Created);
                sent.Add((id, answer.GetProperty("seq").GetInt64()));
            }
        }

        var received = new List<JsonElement>();
        string? cursor = null;
        async Task<bool> SyncPageAsync()
        {
            var query = cursor is null ? "?limit=4" : $"?limit=4&cursor={cursor}";
            var page = await appB.GetAsync($"/v1/users/{Reader}/sync{query}").ExpectAsync(HttpStatusCode.OK);
            received.AddRange(page.GetProperty("items").EnumerateArray());
            cursor = page.GetProperty("cursor").GetString();
            return page.GetProperty("hasMore").GetBoolean();
        }

        var firstHalf = Task.WhenAll(Enumerable.Range(0, 8).Select(w => WriteAsync(w, 25, appA, appB)));
        while (!firstHalf.IsCompleted) await SyncPageAsync();
        await firstHalf;

        a.Kill();
        var secondHalf = Task.WhenAll(Enumerable.Range(8, 4).Select(w => WriteAsync(w, 25, appB)));
        while (!secondHalf.IsCompleted) await SyncPageAsync();
        await secondHalf;

        // B takes the projections over: the killed leader's lock goes within seconds, not a minute.
        await b.ProjectionsCaughtUpAsync(within: TimeSpan.FromSeconds(25));
        while (await SyncPageAsync()) { }

        var expected = sent.Where(m => sessions.Single(s => s.Id == m.Session).Members.Contains(Reader)).ToHashSet();
        var keys = received.Select(i => (i.GetProperty("sessionId").GetString()!, i.GetProperty("seq").GetInt64())).ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.Equal(expected.OrderBy(k => k), keys.OrderBy(k => k));
        foreach (var session in keys.GroupBy(k => k.Item1))
            Assert.Equal(session.Select(k => k.Item2).Order(), session.Select(k => k.Item2));

        // Nobody's chain got an entry twice: the two daemons never both projected.
        Assert.Equal(0L, await TestDatabase.CountAsync(postgres,
            "select count(*) from (select 1 from mp.mp_user_chain group by tenant_id, user_id, session_id, seq having count(*) > 1) d"));
    }
}
