using System.Text;

namespace LeakyService;

/// <summary>
/// The 403 a load balancer sends in place of the service's empty one: an HTML error page of a few KB.
/// The body is what made seed 002 leak; the mocks that answered with no body never did.
/// </summary>
internal static class ErrorPage
{
    public static byte[] Response { get; } = Build();

    private static byte[] Build()
    {
        var body = new StringBuilder();
        body.Append("<!DOCTYPE html>\n<html><head><title>403 Forbidden</title></head>\n<body>\n");
        body.Append("<h1>403 Forbidden</h1>\n<p>Request forbidden by administrative rules.</p>\n");
        for (var i = 0; body.Length < 4000; i++)
        {
            body.Append("<!-- a padding comment, as load balancer error pages carry, to make the body a few KB: ")
                .Append(i)
                .Append(" -->\n");
        }

        body.Append("<hr><address>edge-lb/1.0 (LeakyService)</address>\n</body></html>\n");
        var bodyBytes = Encoding.ASCII.GetBytes(body.ToString());
        var head = "HTTP/1.1 403 Forbidden\r\n" +
                   "Server: edge-lb/1.0\r\n" +
                   "Content-Type: text/html; charset=us-ascii\r\n" +
                   $"Content-Length: {bodyBytes.Length}\r\n" +
                   "Connection: keep-alive\r\n" +
                   "\r\n";
        return [.. Encoding.ASCII.GetBytes(head), .. bodyBytes];
    }
}
