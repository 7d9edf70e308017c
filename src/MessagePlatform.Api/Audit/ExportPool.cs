using System.ComponentModel.DataAnnotations;
using System.Threading.RateLimiting;
using MessagePlatform.Api.Platform;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MessagePlatform.Api.Audit;

/// <summary>
/// Limits of audit exports (`Audit:*`). An export holds a connection and a snapshot for as long as
/// its reader reads, so exports get a small pool of their own and a time budget.
/// </summary>
public sealed class AuditExportOptions
{
    public const string Section = "Audit";

    /// <summary>Connections of the exports' own pool: they can never take the main pool's.</summary>
    [Range(1, 100)]
    public int ExportPoolSize { get; set; } = 4;

    /// <summary>Exports running at once on this node; more answer 503.</summary>
    [Range(1, 100)]
    public int MaxExports { get; set; } = 4;

    /// <summary>Exports running at once for one tenant on this node; more answer 429.</summary>
    [Range(1, 100)]
    public int MaxExportsPerTenant { get; set; } = 2;

    /// <summary>An export's whole time budget; past it the stream is cut off (the client sees it incomplete) and it may resume with `from`.</summary>
    [Range(1, 86_400)]
    public int ExportMaxSeconds { get; set; } = 600;

    /// <summary>The longest one page's query may take.</summary>
    [Range(1, 3_600)]
    public int ExportCommandTimeoutSeconds { get; set; } = 60;
}

/// <summary>The exports' connections and their concurrency: per node, then per tenant.</summary>
public sealed class ExportPool : IDisposable
{
    private readonly ConcurrencyLimiter _node;
    private readonly PartitionedRateLimiter<string> _tenants;

    public ExportPool(PlatformOptions platform, IOptions<AuditExportOptions> options)
    {
        Options = options.Value;
        var connection = new NpgsqlConnectionStringBuilder(platform.Postgres)
        {
            MaxPoolSize = Options.ExportPoolSize,
            MinPoolSize = 0,
            CommandTimeout = Options.ExportCommandTimeoutSeconds,
            ApplicationName = "mp-audit-export",
        };
        DataSource = NpgsqlDataSource.Create(connection.ConnectionString);
        _node = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = Options.MaxExports, QueueLimit = 0 });
        _tenants = PartitionedRateLimiter.Create<string, string>(tenantId => RateLimitPartition.GetConcurrencyLimiter(tenantId,
            _ => new ConcurrencyLimiterOptions { PermitLimit = Options.MaxExportsPerTenant, QueueLimit = 0 }));
    }

    public AuditExportOptions Options { get; }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>A slot for one export of the tenant, or the status to refuse it with (429 the tenant's, 503 the node's).</summary>
    public (ExportSlot? Slot, int RefusedWith) TryEnter(string tenantId)
    {
        var tenant = _tenants.AttemptAcquire(tenantId);
        if (!tenant.IsAcquired)
        {
            tenant.Dispose();
            return (null, StatusCodes.Status429TooManyRequests);
        }
        var node = _node.AttemptAcquire();
        if (node.IsAcquired) return (new ExportSlot(tenant, node), 0);
        node.Dispose();
        tenant.Dispose();
        return (null, StatusCodes.Status503ServiceUnavailable);
    }

    public void Dispose()
    {
        _tenants.Dispose();
        _node.Dispose();
        DataSource.Dispose();
    }
}

/// <summary>Held for the whole export; released when it ends, however it ends.</summary>
public sealed class ExportSlot(RateLimitLease tenant, RateLimitLease node) : IDisposable
{
    public void Dispose()
    {
        node.Dispose();
        tenant.Dispose();
    }
}
