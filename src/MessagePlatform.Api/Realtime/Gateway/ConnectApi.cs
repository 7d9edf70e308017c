using System.Buffers;
using System.Net.WebSockets;
using MessagePlatform.Api.Access;
using MessagePlatform.Api.EventStore;
using MessagePlatform.Api.Messages;

namespace MessagePlatform.Api.Realtime.Gateway;

/// <summary>`GET /v1/connect`: an end user's WebSocket, with its user token as bearer or `?access_token=`.</summary>
public static class ConnectApi
{
    public const int MaxFrameBytes = 128 * 1024;
    public const int SmallFrameBytes = 2 * 1024;

    public static void MapConnectApi(this IEndpointRouteBuilder app) =>
        app.Map("/v1/connect", ConnectAsync).WithName("connectWebSocket").RequireAuthorization(Roles.User).WithTags("Realtime")
            .WithSummary("WebSocket for one user's client: message, retract, sync, typing and pong frames out; send, ack, ping, join, leave and typing in.");

    private static async Task ConnectAsync(
        HttpContext http, LocalConnections connections, ConnectionRegistry registry, Sending sending, SessionStreams streams,
        Typing.TypingSignals typing, UserConnectionQuota quota, InboundFrameRate frameRate, ILogger<ClientConnection> log)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            await TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "WebSocket required",
                detail: "Connect with a WebSocket upgrade request.").ExecuteAsync(http);
            return;
        }
        var caller = http.User.Caller();
        using var slot = quota.TryTake(caller.TenantId, caller.UserId!);
        if (slot is null)
        {
            log.LogInformation("WebSocket of {UserId} of {TenantId} refused: connections per user reached", caller.UserId, caller.TenantId);
            http.Response.Headers.RetryAfter = ((int)UserConnectionQuota.RetryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many connections",
                detail: "This user has as many open connections on this node as it may have; close one or try again later.").ExecuteAsync(http);
            return;
        }
        // Registered before the handshake completes, so a message sent as soon as the client sees
        // itself connected already finds this node in the registry.
        var connectionId = Guid.NewGuid().ToString("N");
        await registry.ConnectedAsync(connectionId, caller.TenantId, caller.UserId!, "websocket", http.RequestAborted);
        WebSocket accepted;
        try
        {
            accepted = await http.WebSockets.AcceptWebSocketAsync();
        }
        catch
        {
            await registry.DisconnectedAsync(connectionId);
            throw;
        }
        using var socket = accepted;
        var connection = new ClientConnection(caller.TenantId, caller.UserId!, socket, connectionId)
        {
            TokenIssuedAt = http.User.TokenIssuedAt() ?? DateTimeOffset.MinValue,
        };
        connections.Add(connection);
        log.LogInformation("User {UserId} of {TenantId} connected", caller.UserId, caller.TenantId);
        using var closing = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, connection.Closing);
        var writer = WriteThenCloseAsync(connection, socket, closing.Token);
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var (frame, closed) = await ReceiveAsync(socket, closing.Token);
                if (closed) break;
                // Acks answer the server's own frames (a busy group acks hundreds a second) and
                // cost a dictionary removal: only what a client starts itself is rate-limited.
                if (frame?.Type is not "ack" && !frameRate.Admits(connection.Id))
                {
                    connection.Send(TooManyFrames);
                    continue;
                }
                await ClientFrames.HandleAsync(frame, caller, connection, connections, sending, streams, typing, closing.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The client went away; nothing to answer.
        }
        finally
        {
            connections.Remove(connection);
            await registry.DisconnectedAsync(connection.Id);
            connection.Complete();
            await closing.CancelAsync();
            try { await writer; } catch (Exception e) when (e is OperationCanceledException or WebSocketException) { }
            if (connection.Closing.IsCancellationRequested) await ClosePolicyAsync(socket);
            log.LogInformation("User {UserId} of {TenantId} disconnected", caller.UserId, caller.TenantId);
        }
    }

    /// <summary>
    /// Reads one frame. An idle connection holds no buffer (memory per connection is the gateway's
    /// scaling limit): a zero-byte read waits for data, then a pooled buffer takes the frame and
    /// goes back to the pool at once; a frame larger than the small one is assembled in a large one.
    /// </summary>
    private static async Task<(ClientFrame? Frame, bool Closed)> ReceiveAsync(WebSocket socket, CancellationToken ct)
    {
        var ready = await socket.ReceiveAsync(Memory<byte>.Empty, ct);
        if (ready.MessageType == WebSocketMessageType.Close) return (null, await CloseAsync(socket, ct));
        var small = ArrayPool<byte>.Shared.Rent(SmallFrameBytes);
        try
        {
            var first = await socket.ReceiveAsync(small.AsMemory(), ct);
            if (first.MessageType == WebSocketMessageType.Close) return (null, await CloseAsync(socket, ct));
            if (first.EndOfMessage) return (ClientFrames.Parse(small.AsSpan(0, first.Count)), false);
            return await ReceiveLargeAsync(socket, small.AsMemory(0, first.Count), ct);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(small);
        }
    }

    private static async Task<(ClientFrame? Frame, bool Closed)> ReceiveLargeAsync(WebSocket socket, ReadOnlyMemory<byte> start, CancellationToken ct)
    {
        var large = ArrayPool<byte>.Shared.Rent(MaxFrameBytes);
        try
        {
            start.Span.CopyTo(large);
            var length = start.Length;
            while (true)
            {
                if (length == MaxFrameBytes)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.MessageTooBig, $"frames are at most {MaxFrameBytes} bytes", ct);
                    return (null, true);
                }
                var next = await socket.ReceiveAsync(large.AsMemory(length, MaxFrameBytes - length), ct);
                if (next.MessageType == WebSocketMessageType.Close) return (null, await CloseAsync(socket, ct));
                length += next.Count;
                if (next.EndOfMessage) return (ClientFrames.Parse(large.AsSpan(0, length)), false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(large);
        }
    }

    /// <summary>The connection's writer; when the node drains, it ends the socket with 1012 (Service Restart) after the queued frames.</summary>
    private static async Task WriteThenCloseAsync(ClientConnection connection, WebSocket socket, CancellationToken ct)
    {
        await connection.WriteLoopAsync(ct);
        if (!connection.Draining || socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived)) return;
        await socket.CloseOutputAsync(ServiceRestart, "node restarting, reconnect", ct);
        // A client that does not answer the close would hold the shutdown: it has been told, it may go.
        try { await Task.Delay(DrainCloseGrace, ct); } catch (OperationCanceledException) { return; }
        if (socket.State is not WebSocketState.Closed) socket.Abort();
    }

    private static readonly TimeSpan DrainCloseGrace = TimeSpan.FromSeconds(3);

    private const WebSocketCloseStatus ServiceRestart = (WebSocketCloseStatus)1012;

    private static readonly SendErrorFrame TooManyFrames = new(null, StatusCodes.Status429TooManyRequests, "Too many frames",
        "This connection sends faster than its frame rate allows; the frame was not handled.", 1);

    /// <summary>The gateway closed this connection (its token was revoked): tell the client why, briefly.</summary>
    private static async Task ClosePolicyAsync(WebSocket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                await socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, "token revoked", timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The client is gone already.
        }
        socket.Abort();
    }

    private static async Task<bool> CloseAsync(WebSocket socket, CancellationToken ct)
    {
        // Closed: this node sent its close first (a drain) and the client answered it.
        if (socket.State is WebSocketState.CloseReceived)
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct);
        return true;
    }
}
