namespace MessagePlatform.Api.Outbound;

/// <summary>
/// What a tenant is told about a failed outbound call (a parked delivery's lastError, a 503's detail):
/// a category only. Exception messages and the receiver's text stay in the operator's log, so an
/// outbound URL cannot be used to read what an address answered.
/// </summary>
public static class OutboundFailure
{
    public static string Describe(Exception e) => e switch
    {
        OperationCanceledException => "no answer in time",
        HttpRequestException { InnerException: OutboundRefusedException } => "address not allowed",
        HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } => "host did not resolve",
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.SecureConnectionError } => "could not connect",
        HttpRequestException { HttpRequestError: HttpRequestError.ConfigurationLimitExceeded } => "answer too large",
        _ => "the call failed",
    };

    public static string Status(int statusCode) => $"HTTP {statusCode}";
}
