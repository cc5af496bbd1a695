using Npgsql;

namespace LeakyService;

/// <summary>
/// Seed 003's bug with Npgsql: borrow a pooled connection at a steady rate, run a query, and forget to close every
/// Nth one (it stays referenced, so the GC never returns it either). The pool's "used" connections grow until the pool
/// is exhausted. With --leak-every 0 every connection goes back to the pool.
/// </summary>
internal static class NpgsqlLeaker
{
    public static async Task<int> RunAsync(NpgsqlOptions options)
    {
        using var shutdown = new ShutdownSignal();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(shutdown.Token);
        if (options.Duration > TimeSpan.Zero)
        {
            stop.CancelAfter(options.Duration);
        }

        var builder = new NpgsqlConnectionStringBuilder(options.ConnectionString) { Pooling = true, MaxPoolSize = options.MaxPool, Timeout = 3 };
        await using var dataSource = NpgsqlDataSource.Create(builder);
        var leaked = new List<NpgsqlConnection>();
        long borrowed = 0, failed = 0;
        await Console.Out.WriteLineAsync($"ready: pool of {options.MaxPool}, {options.Rate}/s, " +
                                         (options.LeakEvery > 0 ? $"leaking every {options.LeakEvery}. connection" : "every connection returned"));
        await Console.Out.FlushAsync();
        try
        {
            var delay = TimeSpan.FromSeconds(1 / options.Rate);
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var connection = await dataSource.OpenConnectionAsync(stop.Token);
                    borrowed++;
                    await using (var command = new NpgsqlCommand("SELECT 1", connection))
                    {
                        await command.ExecuteScalarAsync(stop.Token);
                    }

                    if (options.LeakEvery > 0 && borrowed % options.LeakEvery == 0)
                    {
                        leaked.Add(connection); // The bug: no using, no Close.
                    }
                    else
                    {
                        await connection.DisposeAsync();
                    }
                }
                catch (NpgsqlException e) when (!stop.IsCancellationRequested)
                {
                    failed++;
                    await Console.Error.WriteLineAsync($"npgsql: {e.Message}");
                }

                await Task.Delay(delay, stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }

        await Console.Error.WriteLineAsync($"npgsql: {borrowed} borrowed, {leaked.Count} never returned, {failed} failed (stopped)");
        GC.KeepAlive(leaked);
        return 0;
    }
}
