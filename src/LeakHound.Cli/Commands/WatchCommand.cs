using System.CommandLine;
using LeakHound.Cli.Views;
using LeakHound.Recording;
using LeakHound.Sources;
using LeakHound.Sources.Command;
using LeakHound.Sources.DotNet;
using LeakHound.Sources.Postgres;
using LeakHound.Sources.Process;

namespace LeakHound.Cli.Commands;

internal static class WatchCommand
{
    public static Command Build()
    {
        var pid = new Option<int?>("--pid") { Description = "Watch the process with this PID; the watch ends when it exits." };
        var name = new Option<string?>("--name") { Description = "Watch the process whose name or command line contains this text, following it across restarts." };
        var interval = new Option<string>("--interval") { Description = "Time between rounds: 500ms, 5s, 1m; 0 for back to back.", DefaultValueFactory = _ => "5s" };
        var count = new Option<int?>("--count") { Description = "Stop after this many rounds." };
        var output = new Option<string>("--out") { Description = "Where to record: a SQLite store, or CSV when the name ends in .csv.", DefaultValueFactory = _ => "leakhound.db" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per round instead of the live view." };
        var capacity = new Option<double?>("--capacity") { Description = "The pool size (connections) that percentages are shown against." };
        var commands = new Option<string[]>("--command")
        {
            Description = "NAME='shell command that prints a number', sampled each round as command.NAME (repeatable).",
            Arity = ArgumentArity.ZeroOrMore,
        };

        var postgres = new Option<string?>("--postgres")
        {
            Description = "Also (or only) count a PostgreSQL server's connections from pg_stat_activity: an Npgsql connection string or a postgresql:// URI. Read-only.",
        };
        var idleThreshold = new Option<string>("--pg-idle-threshold")
        {
            Description = "With --postgres: connections idle longer than this are counted in postgres.idle_longer_than_threshold.",
            DefaultValueFactory = _ => "10m",
        };

        var dotnet = new Option<int?>("--dotnet")
        {
            Description = "Also (or only) read a .NET process's connection pools over EventPipe, with no code change: --dotnet PID, or --dotnet alone with --pid/--name for that process (following restarts with --name).",
            Arity = ArgumentArity.ZeroOrOne,
        };

        var alerts = new AlertSettings();
        var command = new Command("watch", "Count a process's sockets by state and peer, its fds, memory and threads, and a PostgreSQL server's connections, every interval, into a store.")
        {
            pid, name, interval, count, output, json, capacity, commands, postgres, idleThreshold, dotnet,
        };
        foreach (var option in alerts.All)
        {
            command.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new WatchOptions(
                parse.GetValue(pid),
                parse.GetValue(name),
                Duration.Parse(parse.GetValue(interval)!, "interval"),
                parse.GetValue(count),
                parse.GetValue(output)!,
                parse.GetValue(json),
                parse.GetValue(capacity),
                (parse.GetValue(commands) ?? []).Select(CommandSpec.Parse).ToList(),
                parse.GetValue(postgres),
                Duration.Parse(parse.GetValue(idleThreshold)!, "idle threshold"),
                parse.GetResult(dotnet) is not null,
                parse.GetValue(dotnet));
            return await RunAsync(options, alerts.Resolve(parse, parse.GetValue(capacity)), cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    public static async Task<int> RunAsync(WatchOptions options, AlertSettings.Resolved alerting, CancellationToken cancellationToken)
    {
        options.Validate();
        var sources = new List<ISampleSource>();
        var subjects = new List<string>();
        ProcessSource? process = null;
        if (options.Target is { } target)
        {
            process = new ProcessSource(ProcessInspectors.ForCurrentOs(), target);
            var found = process.Resolve();
            subjects.Add(found is null ? $"{target} (not running yet)" : $"{found.Name} (PID {found.Pid})");
            sources.Add(process);
        }

        using var dotnet = await StartDotNetAsync(options, process, subjects, cancellationToken).ConfigureAwait(false);
        if (dotnet is not null)
        {
            sources.Add(dotnet);
        }

        await using var postgres = options.Postgres is { } connectionString ? new PostgresSource(connectionString, options.PgIdleThreshold) : null;
        if (postgres is not null)
        {
            // Asked once before anything is recorded: a wrong password is one line, not an empty store.
            await postgres.CheckAsync(cancellationToken).ConfigureAwait(false);
            subjects.Add(postgres.Name);
            sources.Add(postgres);
        }

        if (subjects.Count == 0)
        {
            subjects.Add(string.Join(", ", options.Commands.Select(c => c.Name)));
        }

        var subject = string.Join(" + ", subjects);
        sources.AddRange(options.Commands.Select(c => new CommandSource(c)));
        var sampler = new Sampler(sources, options.Interval, options.Count);
        var store = Watching.OpenStore(options.Out);
        var view = WatchView.Choose(options.Json, new WatchHeading(subject, options.Interval, options.Out, options.Capacity));
        // Clear for three rounds before resolving: quick, yet one good round in a bad spell resolves nothing.
        var alerts = (alerting with { Options = alerting.Options with { ResolveAfter = options.Interval * 3 } }).ForWatch(subject);
        var history = await Watching.RunAsync(sampler, store, view, subject, cancellationToken, alerts).ConfigureAwait(false);
        if (!options.Json)
        {
            var end = history.Events.LastOrDefault(e => e.Kind == EventKind.End);
            Console.Error.WriteLine(end is null
                ? $"Recorded {history.Rounds} rounds to {options.Out}."
                : $"{Terminal.Neutralise(end.Detail)}; recorded {history.Rounds} rounds to {options.Out}.");
        }

        return CliApp.Ok;
    }

    /// <summary>
    /// The .NET pools source, attached before anything is recorded. Alone, a process that cannot be read is one line
    /// and exit 1; alongside the socket census of the same process it is one line on stderr and the census goes on.
    /// </summary>
    private static async Task<DotNetSource?> StartDotNetAsync(WatchOptions options, ProcessSource? process, List<string> subjects, CancellationToken cancellationToken)
    {
        if (!options.DotNet)
        {
            return null;
        }

        var refresh = options.Interval < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : options.Interval;
        var source = options.DotNetPid is { } pid && process is null
            ? new DotNetSource(pid, refresh)
            : new DotNetSource(() => process?.Current?.Pid, refresh);
        try
        {
            await source.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (LeakHoundException e) when (process is not null && e is not UsageException)
        {
            Console.Error.WriteLine($"leakhound: {Terminal.Neutralise(e.Message)} Counting its sockets only.");
            source.Dispose();
            return null;
        }
        catch
        {
            source.Dispose();
            throw;
        }

        if (process is null)
        {
            var name = options.DotNetPid is { } p ? DotNetProcesses.NameOf(p) : null;
            subjects.Add($"{name} (PID {options.DotNetPid}, .NET pools)");
        }
        else
        {
            subjects[0] += " + .NET pools";
        }

        return source;
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
