using System.CommandLine;
using LeakHound.Cli.Views;
using LeakHound.Sources.Postgres;
using Spectre.Console;

namespace LeakHound.Cli.Commands;

/// <summary>
/// <c>leakhound capacity</c>: can the applications' pools, copied onto every thread, process and host, open more
/// connections than the server allows? Seed 004's root cause as a calculator, and with <c>--conn</c> as a check
/// against the live server. Exit 1 when the total can exceed the limit.
/// </summary>
internal static class CapacityCommand
{
    public static Command Build()
    {
        var apps = new Option<string[]>("--app")
        {
            Description = $"An application's worst case, repeatable: {AppPlan.Syntax}.",
            Arity = ArgumentArity.OneOrMore,
            Required = true,
        };
        var max = new Option<int?>("--max-connections") { Description = "The server's max_connections (or read it live with --conn)." };
        var reserved = new Option<int?>("--reserved") { Description = "Slots reserved for superusers and pg_use_reserved_connections (default 3, PostgreSQL's default; read live with --conn)." };
        var conn = new Option<string?>("--conn") { Description = "Read max_connections and the reserved slots from this server, and compare with what each application holds now." };
        var json = new Option<bool>("--json") { Description = "Print the check as JSON." };
        var command = new Command("capacity", "Pool size × threads × processes × hosts for each application, against max_connections minus reserved slots. Exit 1 when it can exceed them.")
        {
            apps, max, reserved, conn, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var plans = parse.GetValue(apps)!.Select(AppPlan.Parse).ToList();
            var duplicate = plans.GroupBy(p => p.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is not null)
            {
                throw new UsageException($"--app {duplicate.Key} is given more than once.");
            }

            var connectionString = parse.GetValue(conn);
            var maxConnections = parse.GetValue(max);
            if (connectionString is null && maxConnections is null)
            {
                throw new UsageException("Give the server's limit: --max-connections N, or --conn CONNECTION to read it live.");
            }

            if (maxConnections is <= 0 || parse.GetValue(reserved) is < 0)
            {
                throw new UsageException("--max-connections must be above 0 and --reserved 0 or more.");
            }

            PgSnapshot? live = null;
            if (connectionString is not null)
            {
                _ = ConnectionStrings.Parse(connectionString);
                live = await PgActivityQuery.ReadOnceAsync(connectionString, withQueries: false, cancellationToken).ConfigureAwait(false);
            }

            // A limit given on the command line wins over the live one: "what if we raised max_connections to 500?"
            var plan = new CapacityPlan(
                plans,
                maxConnections ?? live!.Server.MaxConnections,
                parse.GetValue(reserved) ?? live?.Server.ReservedTotal ?? 3);
            var now = live?.Backends.GroupBy(b => b.Application, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            if (parse.GetValue(json))
            {
                WriteJson(plan, now, live);
            }
            else
            {
                WriteTable(plan, now, live);
            }

            return plan.CanExceed ? CliApp.Failed : CliApp.Ok;
        });
        return command;
    }

    private static void WriteTable(CapacityPlan plan, Dictionary<string, int>? now, PgSnapshot? live)
    {
        var columns = new List<string> { "APPLICATION", "POOL", "THREADS", "PROCESSES", "HOSTS", "AT MOST" };
        if (now is not null)
        {
            columns.Add("NOW");
        }

        var table = new Table().Border(TableBorder.Simple);
        foreach (var c in columns)
        {
            table.AddColumn(new TableColumn(c) { Alignment = c == "APPLICATION" ? Justify.Left : Justify.Right });
        }

        foreach (var app in plan.Apps)
        {
            var cells = new List<string>
            {
                Terminal.Safe(app.Name), Format.Count(app.Pool), Format.Count(app.Threads), Format.Count(app.Processes), Format.Count(app.Hosts), Format.Count(app.MaxConnections),
            };
            if (now is not null)
            {
                cells.Add(Format.Count(now.GetValueOrDefault(app.Name)));
            }

            table.AddRow(cells.ToArray());
        }

        AnsiConsole.Write(table);
        var source = live is null ? "" : $" (read from PostgreSQL {live.Server.Version})";
        AnsiConsole.MarkupLine($"Limit: max_connections {Format.Count(plan.MaxConnections)} − {Format.Count(plan.Reserved)} reserved = [bold]{Format.Count(plan.Limit)}[/]{source}.");
        var verdict = plan.CanExceed
            ? $"[red]The applications can open {Format.Count(plan.Total)} connections: {Format.Count(-plan.Headroom)} more than the limit ({Format.Percent(plan.Total, plan.Limit)}). " +
              "Under load the server refuses new connections: lower the pool sizes, or put a pooler such as PgBouncer in front.[/]"
            : $"[green]The applications can open {Format.Count(plan.Total)} connections at most: headroom {Format.Count(plan.Headroom)} ({Format.Percent(plan.Total, plan.Limit)} of the limit).[/]";
        AnsiConsole.MarkupLine(verdict);
        if (live is not null && now is not null)
        {
            var named = plan.Apps.Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
            var others = now.Where(kv => !named.Contains(kv.Key)).Sum(kv => kv.Value);
            AnsiConsole.MarkupLine($"Now: {Format.Count(live.Backends.Count)} client connections, {Format.Count(others)} of them from other applications; " +
                                   $"{Format.Count(plan.Limit - live.Backends.Count)} slots free.");
            foreach (var app in plan.Apps.Where(a => now.GetValueOrDefault(a.Name) > a.MaxConnections))
            {
                AnsiConsole.MarkupLine($"[red]{Terminal.Safe(app.Name)} holds {Format.Count(now[app.Name])} connections, more than its plan of {Format.Count(app.MaxConnections)}: the plan is wrong, or it leaks.[/]");
            }
        }

        if (plan.Apps.Any(a => a.Pool > 1 && a.Threads > 1))
        {
            AnsiConsole.MarkupLine("[grey]threads counts pools per process (threads that each hold their own pool); when a process's threads share one pool, the pool size caps them: give threads:1.[/]");
        }
    }

    private static void WriteJson(CapacityPlan plan, Dictionary<string, int>? now, PgSnapshot? live)
    {
        StdoutJson.Write(json =>
        {
            json.WriteStartObject();
            if (live is not null)
            {
                PgCommand.WriteServer(json, live.Server);
                json.WriteNumber("connections_now", live.Backends.Count);
            }

            json.WriteNumber("max_connections", plan.MaxConnections);
            json.WriteNumber("reserved", plan.Reserved);
            json.WriteNumber("limit", plan.Limit);
            json.WriteNumber("total", plan.Total);
            json.WriteNumber("headroom", plan.Headroom);
            json.WriteBoolean("can_exceed", plan.CanExceed);
            json.WriteStartArray("applications");
            foreach (var app in plan.Apps)
            {
                json.WriteStartObject();
                json.WriteString("name", app.Name);
                json.WriteNumber("pool", app.Pool);
                json.WriteNumber("threads", app.Threads);
                json.WriteNumber("processes", app.Processes);
                json.WriteNumber("hosts", app.Hosts);
                json.WriteNumber("at_most", app.MaxConnections);
                if (now is not null)
                {
                    json.WriteNumber("now", now.GetValueOrDefault(app.Name));
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        });
    }
}
