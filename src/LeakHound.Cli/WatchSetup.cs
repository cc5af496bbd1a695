using System.CommandLine;
using LeakHound.Cli.Commands;
using LeakHound.Recording;
using LeakHound.Sources;
using LeakHound.Sources.Command;
using LeakHound.Sources.DotNet;
using LeakHound.Sources.Postgres;
using LeakHound.Sources.Process;

namespace LeakHound.Cli;

/// <summary>
/// The options that say what a watch samples and how (<c>--pid</c>, <c>--name</c>, <c>--interval</c>, <c>--count</c>,
/// <c>--out</c>, <c>--capacity</c>, <c>--command</c>, <c>--postgres</c>, <c>--pg-idle-threshold</c> and the alert
/// options), shared by <c>watch</c> and <c>serve</c> so both take the same sources and rules.
/// </summary>
internal sealed class WatchSettings
{
    public Option<int?> Pid { get; } = new("--pid") { Description = "Watch the process with this PID; the watch ends when it exits." };

    public Option<string?> Name { get; } = new("--name") { Description = "Watch the process whose name or command line contains this text, following it across restarts." };

    public Option<string> Interval { get; } = new("--interval") { Description = "Time between rounds: 500ms, 5s, 1m; 0 for back to back.", DefaultValueFactory = _ => "5s" };

    public Option<int?> Count { get; } = new("--count") { Description = "Stop after this many rounds." };

    public Option<string> Output { get; } = new("--out") { Description = "Where to record: a SQLite store, or CSV when the name ends in .csv.", DefaultValueFactory = _ => "leakhound.db" };

    public Option<double?> Capacity { get; } = new("--capacity") { Description = "The pool size (connections) that percentages are shown against." };

    public Option<string[]> Commands { get; } = new("--command")
    {
        Description = "NAME='shell command that prints a number', sampled each round as command.NAME (repeatable).",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public Option<string?> Postgres { get; } = new("--postgres")
    {
        Description = "Also (or only) count a PostgreSQL server's connections from pg_stat_activity: an Npgsql connection string or a postgresql:// URI. Read-only.",
    };

    public Option<string> IdleThreshold { get; } = new("--pg-idle-threshold")
    {
        Description = "With --postgres: connections idle longer than this are counted in postgres.idle_longer_than_threshold.",
        DefaultValueFactory = _ => "10m",
    };

    public Option<int?> DotNet { get; } = new("--dotnet")
    {
        Description = "Also (or only) read a .NET process's connection pools over EventPipe, with no code change: --dotnet PID, or --dotnet alone with --pid/--name for that process (following restarts with --name).",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public AlertSettings Alerts { get; } = new();

    /// <summary>Every option, in the order <c>--help</c> lists them.</summary>
    public IEnumerable<Option> All => [Pid, Name, Interval, Count, Output, Capacity, Commands, Postgres, IdleThreshold, DotNet, .. Alerts.All];

    public void AddTo(Command command)
    {
        foreach (var option in All)
        {
            command.Add(option);
        }
    }

    public WatchOptions Resolve(ParseResult parse, bool json = false) => new(
        parse.GetValue(Pid),
        parse.GetValue(Name),
        Duration.Parse(parse.GetValue(Interval)!, "interval"),
        parse.GetValue(Count),
        parse.GetValue(Output)!,
        json,
        parse.GetValue(Capacity),
        (parse.GetValue(Commands) ?? []).Select(CommandSpec.Parse).ToList(),
        parse.GetValue(Postgres),
        Duration.Parse(parse.GetValue(IdleThreshold)!, "idle threshold"),
        parse.GetResult(DotNet) is not null,
        parse.GetValue(DotNet));

    /// <summary>Whether any option that names something to watch was given (so <c>serve FILE</c> can refuse a mix).</summary>
    public bool NamesASource(ParseResult parse) =>
        parse.GetValue(Pid) is not null || parse.GetValue(Name) is not null || parse.GetValue(Postgres) is not null || parse.GetResult(DotNet) is not null
        || (parse.GetValue(Commands) ?? []).Length > 0;
}

/// <summary>
/// The sources of one watch, built from its options: the process (by PID or name), PostgreSQL (checked once before
/// anything is recorded) and the commands, with the subject line that names them.
/// </summary>
internal sealed class WatchSources : IAsyncDisposable
{
    private WatchSources(IReadOnlyList<ISampleSource> sources, string subject, ProcessSource? process, PostgresSource? postgres, DotNetSource? dotnet)
    {
        Sources = sources;
        Subject = subject;
        Process = process;
        Postgres = postgres;
        DotNet = dotnet;
    }

    public IReadOnlyList<ISampleSource> Sources { get; }

    /// <summary>What is watched, for people: "LeakyService (PID 123) + PostgreSQL app@localhost:5432/app".</summary>
    public string Subject { get; }

    public ProcessSource? Process { get; }

    public PostgresSource? Postgres { get; }

    public DotNetSource? DotNet { get; }

    public static async Task<WatchSources> OpenAsync(WatchOptions options, CancellationToken cancellationToken)
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

        var dotnet = await StartDotNetAsync(options, process, subjects, cancellationToken).ConfigureAwait(false);
        if (dotnet is not null)
        {
            sources.Add(dotnet);
        }

        var postgres = options.Postgres is { } connectionString ? new PostgresSource(connectionString, options.PgIdleThreshold) : null;
        if (postgres is not null)
        {
            try
            {
                // Asked once before anything is recorded: a wrong password is one line, not an empty store.
                await postgres.CheckAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await postgres.DisposeAsync().ConfigureAwait(false);
                dotnet?.Dispose();
                throw;
            }

            subjects.Add(postgres.Name);
            sources.Add(postgres);
        }

        if (subjects.Count == 0)
        {
            subjects.Add(string.Join(", ", options.Commands.Select(c => c.Name)));
        }

        sources.AddRange(options.Commands.Select(c => new CommandSource(c)));
        return new WatchSources(sources, string.Join(" + ", subjects), process, postgres, dotnet);
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

    public Sampler Sampler(WatchOptions options) => new(Sources, options.Interval, options.Count);

    /// <summary>The alerting of this watch, or null without rules: clear for three rounds before resolving.</summary>
    public WatchAlerts? Alerts(AlertSettings.Resolved alerting, WatchOptions options) =>
        (alerting with { Options = alerting.Options with { ResolveAfter = options.Interval * 3 } }).ForWatch(Subject);

    public async ValueTask DisposeAsync()
    {
        DotNet?.Dispose();
        if (Postgres is not null)
        {
            await Postgres.DisposeAsync().ConfigureAwait(false);
        }
    }
}
