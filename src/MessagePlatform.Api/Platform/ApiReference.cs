using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace MessagePlatform.Api.Platform;

/// <summary>
/// The OpenAPI document at `/openapi/v1.json` (with its bearer scheme and examples), the browsable
/// reference at `/docs`, and `/` pointing to it. The document is checked in as `docs/openapi.json`.
/// </summary>
public static class ApiReference
{
    public const string DocsPath = "/docs";
    public const string DocumentPath = "/openapi/v1.json";
    public const string SchemeId = "bearer";

    public static IHostApplicationBuilder AddApiReference(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "MessagePlatform",
                    Version = "v1",
                    Description = "Multi-tenant IM backend: tenants, sessions, messages, sync, conversations, presence, " +
                        "broadcasts, webhooks, audit. The realtime frames and MQTT topics are in docs/asyncapi.yaml; " +
                        "the contract in words is docs/api.md.",
                };
                // The server is wherever the document was fetched from: leaving the request's host out keeps
                // the checked-in copy identical on every machine, and Scalar then calls its own origin.
                document.Servers = [];
                EnsureBearerScheme(document);
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                if (metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any() && context.Document is { } document)
                {
                    EnsureBearerScheme(document);
                    operation.Security ??= [];
                    operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeId, document)] = [] });
                }
                OpenApiExamples.ApplyTo(operation);
                return Task.CompletedTask;
            });
        });
        return builder;
    }

    public static WebApplication MapApiReference(this WebApplication app)
    {
        app.MapOpenApi();
        // Scalar 2.x serves its script from the package under the mapped path; the default fonts come from
        // a CDN, so they are left out and the page works without the internet.
        app.MapScalarApiReference(DocsPath, options => options
            .WithTitle("MessagePlatform API")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json")
            .DisableDefaultFonts()
            .AddPreferredSecuritySchemes([SchemeId]));
        app.MapGet("/", () => TypedResults.Redirect(DocsPath)).ExcludeFromDescription();
        return app;
    }

    // Idempotent: operation transformers run before the document transformer, and each requirement they
    // add refers to the scheme in its document, so the scheme is there from the first one on.
    private static void EnsureBearerScheme(OpenApiDocument document)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes.TryAdd(SchemeId, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "`Authorization: Bearer <credential>`, one of: the **admin key** (`MP_ADMIN_KEY`; tenants and " +
                "`/v1/admin`), a tenant's **app key** (its servers: everything of the tenant except audit), a tenant's " +
                "**auditor key** (read-only `/v1/audit` and legal holds), or a **user token** (`POST /v1/users/{userId}/tokens`; " +
                "that user's own `/v1/users/{userId}/…` endpoints, and sending, history and retraction as that user). " +
                "A missing or unknown credential gets 401, a role that may not call the operation 403, another tenant's data 404.",
        });
    }
}
