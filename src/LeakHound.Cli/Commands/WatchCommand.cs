using System.CommandLine;
using LeakHound.Cli.Views;
using LeakHound.Recording;
using LeakHound.Sources.Command;
using LeakHound.Sources.Postgres;
using LeakHound.Sources.Process;

namespace LeakHound.Cli.Commands;

internal static class WatchCommand
{
    public static Command Build()
    {
        var settings = new WatchSettings();
        var json = new Option<bool>("--json") { Description = "Print one JSON object per round instead of the live view." };
        var command = new Command("watch", "Count a process's sockets by state and peer, its fds, memory and threads, and a PostgreSQL server's connections, every interval, into a store.");
        settings.AddTo(command);
        command.Add(json);

        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = settings.Resolve(parse, parse.GetValue(json));
            return await RunAsync(options, settings.Alerts.Resolve(parse, options.Capacity), cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    public static async Task<int> RunAsync(WatchOptions options, AlertSettings.Resolved alerting, CancellationToken cancellationToken)
    {
        await using var sources = await WatchSources.OpenAsync(options, cancellationToken).ConfigureAwait(false);
        var sampler = sources.Sampler(options);
        var store = Watching.OpenStore(options.Out);
        var view = WatchView.Choose(options.Json, new WatchHeading(sources.Subject, options.Interval, options.Out, options.Capacity));
        var alerts = sources.Alerts(alerting, options);
        var history = await Watching.RunAsync(sampler, store, view, sources.Subject, cancellationToken, alerts).ConfigureAwait(false);
        if (!options.Json)
        {
            var end = history.Events.LastOrDefault(e => e.Kind == EventKind.End);
            Console.Error.WriteLine(end is null
                ? $"Recorded {history.Rounds} rounds to {options.Out}."
                : $"{Terminal.Neutralise(end.Detail)}; recorded {history.Rounds} rounds to {options.Out}.");
        }

        return CliApp.Ok;
    }
}

internal sealed record WatchOptions(
    int? Pid,
    string? Name,
    TimeSpan Interval,
    int? Count,
    string Out,
    bool Json,
    double? Capacity,
    IReadOnlyList<CommandSpec> Commands,
    string? Postgres = null,
    TimeSpan PgIdleThreshold = default,
    bool DotNet = false,
    int? DotNetPid = null)
{
    public ProcessTarget? Target => Pid is { } p ? new ProcessTarget.ById(p) : Name is { } n ? new ProcessTarget.ByName(n) : null;

    public void Validate()
    {
        if (Pid is not null && Name is not null)
        {
            throw new UsageException("Give --pid or --name, not both.");
        }

        if (Pid is <= 0)
        {
            throw new UsageException($"--pid {Pid} is not a process id: it must be a positive number.");
        }

        if (Name is { Length: 0 })
        {
            throw new UsageException("--name needs some text to look for.");
        }

        if (DotNetPid is <= 0)
        {
            throw new UsageException($"--dotnet {DotNetPid} is not a process id: it must be a positive number.");
        }

        if (DotNet && DotNetPid is { } dotnetPid && Pid is { } census && dotnetPid != census)
        {
            throw new UsageException($"--dotnet {dotnetPid} and --pid {census} name two processes: one watch is one process's timeline; give the same PID, or --dotnet alone with --pid.");
        }

        if (DotNet && DotNetPid is not null && Name is not null)
        {
            throw new UsageException("With --name, give --dotnet without a PID: it follows the process that --name finds, across restarts.");
        }

        if (DotNet && DotNetPid is null && Target is null)
        {
            throw new UsageException("--dotnet needs a PID (--dotnet 4242), or --pid/--name to say which process.");
        }

        if (Target is null && Commands.Count == 0 && Postgres is null && !DotNet)
        {
            throw new UsageException("Nothing to watch: give --pid, --name, --dotnet, --postgres or --command.");
        }

        if (Postgres is { } connectionString)
        {
            // Parsed here so a malformed string is a usage error (exit 2), masked like every other message.
            _ = ConnectionStrings.Parse(connectionString);
        }

        if (Count is <= 0)
        {
            throw new UsageException($"--count {Count} must be at least 1.");
        }

        if (Capacity is <= 0)
        {
            throw new UsageException($"--capacity {Capacity} must be a positive number of connections.");
        }
    }
}
