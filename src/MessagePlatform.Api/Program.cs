using MessagePlatform.Api.Platform;

var builder = WebApplication.CreateBuilder(args);
builder.AddMessagePlatform();

var app = builder.Build();
app.UseMessagePlatform();
app.MapMessagePlatformApi();
app.Run();

/// <summary>The host; public so the tests' WebApplicationFactory can boot it.</summary>
public partial class Program;
