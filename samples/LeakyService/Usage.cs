namespace LeakyService;

/// <summary>The one-line usage shown with every usage error.</summary>
internal static class Usage
{
    public const string Text =
        "Usage: LeakyService downstream [--port 0] [--close-after 2s] [--via URL] | " +
        "client --target http://127.0.0.1:PORT [--rate 20] [--leak-every 1] [--fixed] [--duration 0] | " +
        "holder --pairs 9000 --close-wait 2000 [--v6 0] [--tag TEXT] | " +
        "server [--rate 20] [--fixed] [--duration 0] | " +
        "npgsql --conn CONNECTION_STRING [--rate 20] [--leak-every 0] [--max-pool 50] [--duration 0]";
}

/// <summary>Malformed command line: printed as one line, exit code 2.</summary>
internal sealed class UsageError(string message) : Exception(message);
