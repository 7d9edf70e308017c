namespace MessagePlatform.Api.Audit;

/// <summary>
/// An audit response's body that holds its first byte until the access is recorded. The record is
/// awaited inside the write that would start the response, so a record that fails fails that write
/// while nothing has been sent: the request then answers as its failure says (the store away: 503
/// with Retry-After), not with the data unrecorded, nor with the server's 500 for a throwing
/// <c>OnStarting</c>. The export's pages pass through unchanged after the first.
/// </summary>
internal sealed class RecordedBeforeFirstByte(Stream inner, Func<Task> recordOnce) : Stream
{
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
    {
        await recordOnce();
        await inner.WriteAsync(buffer, ct);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        WriteAsync(buffer.AsMemory(offset, count), ct).AsTask();

    public override async Task FlushAsync(CancellationToken ct)
    {
        await recordOnce();
        await inner.FlushAsync(ct);
    }

    // Kestrel refuses synchronous IO anyway; these keep the stream whole for a host that allows it.
    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();
    public override void Flush() => FlushAsync().GetAwaiter().GetResult();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
