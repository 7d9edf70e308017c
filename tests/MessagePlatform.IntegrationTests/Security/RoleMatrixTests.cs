using System.Text;
using MessagePlatform.IntegrationTests.Fuzz;
using Xunit.Abstractions;

namespace MessagePlatform.IntegrationTests.Security;

/// <summary>What one cell of the matrix must answer.</summary>
public enum Expect { Unauthorized, Forbidden, NotFound, Passes, PassesInOwnTenant }

/// <summary>
/// Every operation × every credential against <see cref="RoleTable"/> (its summary gives the rule), on
/// one host in a single pass: the other tenant's cells first, bracketed by tenant A's audit export, then
/// this tenant's, each row's refusals before the calls they might undo.
/// </summary>
public sealed class RoleMatrixTests(RoleMatrixWorld world, ITestOutputHelper output) : IClassFixture<RoleMatrixWorld>
{
    private static readonly Credential[] ForeignCredentials = [Credential.OtherTenantUser, Credential.OtherTenantAuditor, Credential.OtherTenantApp];

    public static Expect ExpectOf(RoleRow row, Credential credential)
    {
        if (row.Allowed.HasFlag(Allowed.Open)) return Expect.Passes;
        if (credential is Credential.None or Credential.Malformed) return Expect.Unauthorized;
        var grants = credential switch
        {
            Credential.Admin => Allowed.Admin,
            Credential.App or Credential.OtherTenantApp => Allowed.App,
            Credential.Auditor or Credential.OtherTenantAuditor => Allowed.Auditor,
            Credential.PathUser or Credential.OtherTenantUser => Allowed.PathUser | Allowed.AnyUser,
            _ => Allowed.AnyUser,
        };
        if ((row.Allowed & grants) == 0) return Expect.Forbidden;
        if (!ForeignCredentials.Contains(credential)) return Expect.Passes;
        return row.Foreign == Foreign.NotFound ? Expect.NotFound : Expect.PassesInOwnTenant;
    }

    [Fact]
    public async Task the_role_table_has_exactly_one_row_per_operation_of_the_served_openapi_document()
    {
        var document = await OpenApiOperations.FetchAsync(world.Admin);
        var served = document.All.Select(o => o.Name).ToHashSet();
        var rows = RoleTable.Rows.Where(r => r.InDocument).Select(r => r.Name).ToList();
        var problems = served.Except(rows).Select(name => $"no row for {name}")
            .Concat(rows.Except(served).Select(name => $"a row for {name}, which the document does not serve"))
            .Concat(rows.GroupBy(n => n).Where(g => g.Count() > 1).Select(g => $"{g.Key} has {g.Count()} rows"))
            .ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task every_operation_answers_every_credential_as_the_contract_says_and_no_other_tenant_reaches_this_tenants_data()
    {
        using var client = world.Host.CreateClient();
        var mismatches = new List<(RoleRow Row, Credential Credential, string Cell)>();
        var cells = 0;
        var answers = new Dictionary<RoleRow, List<string>>();

        var before = await world.ExportAsync();
        foreach (var row in RoleTable.Rows)
        foreach (var credential in ForeignCredentials)
            await CheckAsync(row, credential);
        var after = await world.ExportAsync();
        Assert.True(before == after, "a call with the other tenant's credentials changed this tenant's audit export");

        foreach (var row in RoleTable.Rows)
        foreach (var credential in Enum.GetValues<Credential>().Except(ForeignCredentials)
                     .OrderBy(c => ExpectOf(row, c) is Expect.Passes ? 1 : 0))
            await CheckAsync(row, credential);

        output.WriteLine($"{cells} cells over {RoleTable.Rows.Count} operations");
        foreach (var (row, statuses) in answers) output.WriteLine($"{row.Name,-58} {string.Join(" ", statuses)}");
        Assert.True(mismatches.Count == 0, Matrix(mismatches));

        async Task CheckAsync(RoleRow row, Credential credential)
        {
            cells++;
            var expected = ExpectOf(row, credential);
            var (status, body) = await SendAsync(client, row, credential);
            var wrong = expected switch
            {
                Expect.Unauthorized => status != 401,
                Expect.Forbidden => status != 403,
                Expect.NotFound => status != 404,
                _ => status is 401 or 403 || (status >= 500 && status != 503),
            } || (expected is Expect.PassesInOwnTenant && world.TenantMarks.Any(body.Contains));
            (answers.TryGetValue(row, out var list) ? list : answers[row] = []).Add($"{credential}={status}");
            if (wrong) mismatches.Add((row, credential, $"{status}≠{Short(expected)}"));
        }
    }

    private async Task<(int Status, string Body)> SendAsync(HttpClient client, RoleRow row, Credential credential)
    {
        using var request = new HttpRequestMessage(new HttpMethod(row.Method), world.Url(row));
        if (world.Header(credential, row) is { } header) request.Headers.TryAddWithoutValidation("Authorization", header);
        if (row.Method is "POST" or "PUT" or "PATCH") request.Content = new StringContent(row.Body ?? "{}", Encoding.UTF8, "application/json");
        using var response = await client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static string Short(Expect expect) => expect switch
    {
        Expect.Unauthorized => "401",
        Expect.Forbidden => "403",
        Expect.NotFound => "404",
        Expect.Passes => "pass",
        _ => "own-tenant pass",
    };

    /// <summary>The rows with a wrong cell, one line each: only the wrong cells, "got≠expected".</summary>
    private static string Matrix(List<(RoleRow Row, Credential Credential, string Cell)> mismatches)
    {
        var lines = mismatches.GroupBy(m => m.Row, m => $"{m.Credential}: {m.Cell}")
            .Select(g => $"{g.Key.Name,-58} {string.Join(" | ", g)}");
        return $"{mismatches.Count} cells disagree with the contract:\n{string.Join("\n", lines)}";
    }
}
