using LeakyService;

// A deliberately leaky program (seed 002): see README.md. One mode per process.
try
{
    var args2 = new ArgReader(args);
    return args2.Mode switch
    {
        "downstream" => await DownstreamServer.RunAsync(DownstreamOptions.Parse(args2)),
        "client" => await LeakyClient.RunAsync(ClientOptions.Parse(args2)),
        "holder" => await SocketHolder.RunAsync(HolderOptions.Parse(args2)),
        "server" => await LeakyServer.RunAsync(ServerOptions.Parse(args2)),
        "npgsql" => await NpgsqlLeaker.RunAsync(NpgsqlOptions.Parse(args2)),
        _ => throw new UsageError(args2.Mode is null ? "no mode given." : $"unknown mode '{args2.Mode}'."),
    };
}
catch (UsageError e)
{
    await Console.Error.WriteLineAsync($"LeakyService: {e.Message} {Usage.Text}");
    return 2;
}
