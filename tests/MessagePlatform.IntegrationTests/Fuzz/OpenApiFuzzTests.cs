using System.Net;
using System.Text;
using CsCheck;
using MessagePlatform.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace MessagePlatform.IntegrationTests.Fuzz;

/// <summary>
/// Every operation of the OpenAPI document, fed requests generated from its schemas with every
/// credential: nothing answers 5xx, and a batch whose changing calls were all refused (4xx) leaves
/// both tenants' audit exports byte-identical. Seeded: set MP_FUZZ_SEED to the seed a failure
/// printed to replay it; MP_FUZZ_BATCHES runs longer.
/// </summary>
public sealed class OpenApiFuzzTests(ITestOutputHelper output)
{
    private static readonly string Seed = Environment.GetEnvironmentVariable("MP_FUZZ_SEED") is { Length: > 0 } s ? s : new PCG(13, 20261202).ToString();
    private static readonly int Batches = int.TryParse(Environment.GetEnvironmentVariable("MP_FUZZ_BATCHES"), out var b) ? b : 150;

    [Fact]
    public async Task no_generated_request_answers_5xx_and_a_refused_batch_changes_no_export()
    {
        await using var host = new PlatformHost(await TestServers.CreateDatabaseAsync());
        using var admin = host.ClientWith(PlatformHost.AdminKey);
        var world = await FuzzWorld.CreateAsync(host, admin);
        var document = await OpenApiOperations.FetchAsync(admin);
        Assert.True(document.All.Count >= 40, $"only {document.All.Count} operations in the document");
        var requests = new FuzzRequests(document, world);
        using var client = host.CreateClient();
        using var checker = host.ClientWith(world.CheckerKey);
        using var otherChecker = host.ClientWith(world.OtherCheckerKey);
        async Task<(string, string)> ExportsAsync() => (await ExportOfAsync(checker), await ExportOfAsync(otherChecker));

        var statuses = new Dictionary<int, int>();
        var (sent, checkedBatches) = (0, 0);
        var before = await ExportsAsync();
        await requests.Any.Array[1, 16].SampleAsync(async batch =>
        {
            var changing = false;
            foreach (var request in batch)
            {
                var status = await SendAsync(client, world, request);
                sent++;
                statuses[status] = statuses.GetValueOrDefault(status) + 1;
                if (status is >= 200 and < 300 && request.Method != "GET") changing = true;
            }
            var after = await ExportsAsync();
            // Some accepted calls finish in the background (an erasure answers 202): let them settle before the next baseline.
            for (var settle = 0; changing && settle < 50; settle++)
            {
                await Task.Delay(100);
                var again = await ExportsAsync();
                if (again == after) break;
                after = again;
            }
            if (!changing)
            {
                Assert.True(before == after, "a batch answered only 4xx (or reads) changed an audit export");
                checkedBatches++;
            }
            before = after;
        }, seed: Seed, iter: Batches, threads: 1, print: batch => string.Join("\n", batch.Select(r => r.ToString())));

        output.WriteLine($"seed {Seed}: {sent} requests, {checkedBatches} batches checked for no change; statuses " +
            string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}")));
        Assert.True(checkedBatches >= Batches / 5, $"only {checkedBatches} of {Batches} batches were all refusals: the property was hardly tested");
        Assert.Contains(statuses.Keys, s => s is >= 200 and < 300);
    }

    /// <summary>The status, or a failure naming the request when it is a 5xx (a 503 with Retry-After is the documented overload answer).</summary>
    public static async Task<int> SendAsync(HttpClient client, FuzzWorld world, FuzzRequest request)
    {
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(request.Url, UriKind.Relative));
        if (world.Credentials[request.Credential] is { } credential) message.Headers.TryAddWithoutValidation("Authorization", credential);
        if (request.Body is not null) message.Content = new StringContent(request.Body, Encoding.UTF8, "application/json");
        using var response = await client.SendAsync(message);
        var status = (int)response.StatusCode;
        if (status >= 500 && !(status == 503 && response.Headers.RetryAfter is not null))
            Assert.Fail($"{status} for {request}: {await response.Content.ReadAsStringAsync()}");
        return status;
    }

    /// <summary>The tenant's export without the audit access log, which records every audit call (the export's own too) by design.</summary>
    private static async Task<string> ExportOfAsync(HttpClient auditor)
    {
        var export = await auditor.GetAsync("/v1/audit/export");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        var lines = (await export.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return string.Join("\n", lines.Where(line => !line.Contains("\"streamKey\":\"$audit-access\"")));
    }
}
