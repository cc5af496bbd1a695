using System.CommandLine;
using System.Text.Json;
using LeakHound.Cli.Views;
using LeakHound.Sources.Postgres;
using Spectre.Console;

namespace LeakHound.Cli.Commands;

/// <summary><c>leakhound pg suspects</c>: the long-idle connections of a PostgreSQL server, grouped by where they come from.</summary>
internal static class PgCommand
{
    private const int QueryWidth = 60;

    /// <summary>Escapes &lt;, &gt;, &amp;, quotes and control characters: a query pasted into a page or a terminal stays text.</summary>

    public static Command Build()
    {
        var conn = new Option<string>("--conn") { Description = "The server: an Npgsql connection string or a postgresql:// URI. Read-only.", Required = true };
        var idle = new Option<string>("--idle-longer-than") { Description = "Suspect connections idle (or idle in a transaction) longer than this.", DefaultValueFactory = _ => "10m" };
        var database = new Option<string?>("--database") { Description = "Only connections to this database." };
        var json = new Option<bool>("--json") { Description = "Print the groups as JSON, with whole queries." };
        var suspects = new Command("suspects", "Connections idle longer than a threshold, grouped by application, client, user and database, with their last query. Exit 1 when there are any.")
        {
            conn, idle, database, json,
        };
        suspects.SetAction(async (parse, cancellationToken) =>
        {
            var threshold = Duration.Parse(parse.GetValue(idle)!, "idle time");
            var connectionString = parse.GetValue(conn)!;
            _ = ConnectionStrings.Parse(connectionString);
            var report = await PgSuspects.FindAsync(connectionString, threshold, parse.GetValue(database), cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                WriteJson(report);
            }
            else
            {
                WriteTable(report);
            }

            // Like a failed check: suspects found is what a script wants to branch on.
            return report.Groups.Count > 0 ? CliApp.Failed : CliApp.Ok;
        });

        return new Command("pg", "PostgreSQL: find the connections a pool forgot.") { suspects };
    }

    private static void WriteTable(SuspectsReport report)
    {
        var server = report.Server;
        var scope = report.Database is null ? "" : $" in database {Terminal.Safe(report.Database)}";
        if (report.PrivilegeNote is { } note)
        {
            AnsiConsole.MarkupLine($"[yellow]Note: {Terminal.Safe(note)}[/]");
        }

        if (report.Groups.Count == 0)
        {
            AnsiConsole.MarkupLine($"No connections idle longer than {Duration.Format(report.Threshold)}{scope} " +
                                   $"(PostgreSQL {server.Version}, {server.Capacity} connections available: max_connections {server.MaxConnections} − {server.ReservedTotal} reserved).");
            return;
        }

        var table = new Table().Border(TableBorder.Simple);
        foreach (var c in new[] { "APPLICATION", "CLIENT", "USER", "DATABASE", "CONNS", "IN TX", "OLDEST IDLE", "LAST QUERY (of the oldest)" })
        {
            table.AddColumn(new TableColumn(c) { Alignment = c is "CONNS" or "IN TX" or "OLDEST IDLE" ? Justify.Right : Justify.Left });
        }

        foreach (var g in report.Groups)
        {
            table.AddRow(
                Terminal.Safe(g.Application.Length == 0 ? "(none)" : g.Application),
                Terminal.Safe(g.Client),
                Terminal.Safe(g.User),
                Terminal.Safe(g.Database),
                Format.Count(g.Count),
                g.IdleInTransaction > 0 ? $"[yellow]{Format.Count(g.IdleInTransaction)}[/]" : "0",
                PgSuspects.Age(g.OldestIdleSeconds),
                Terminal.Safe(PgSuspects.Shorten(g.LastQuery, QueryWidth)));
        }

        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"{Format.Count(report.Total)} connections idle longer than {Duration.Format(report.Threshold)}{scope} in {report.Groups.Count} groups; " +
                               $"{server.Capacity} available on this server (max_connections {server.MaxConnections} − {server.ReservedTotal} reserved). Whole queries: --json.");
        foreach (var advice in report.Advice)
        {
            AnsiConsole.MarkupLine($"[grey]· {Terminal.Safe(advice)}[/]");
        }
    }

    private static void WriteJson(SuspectsReport report)
    {
        StdoutJson.Write(json =>
        {
            json.WriteStartObject();
            WriteServer(json, report.Server);
            json.WriteNumber("idle_longer_than_seconds", report.Threshold.TotalSeconds);
            json.WriteString("database", report.Database);

            json.WriteNumber("total", report.Total);
            json.WriteStartArray("groups");
            foreach (var g in report.Groups)
            {
                json.WriteStartObject();
                json.WriteString("application", g.Application);
                json.WriteString("client", g.Client);
                json.WriteString("user", g.User);
                json.WriteString("database", g.Database);
                json.WriteNumber("count", g.Count);
                json.WriteNumber("idle_in_transaction", g.IdleInTransaction);
                json.WriteNumber("oldest_idle_seconds", g.OldestIdleSeconds);
                json.WriteString("last_query", g.LastQuery);

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteNumber("hidden_sessions", report.HiddenSessions);
            if (report.PrivilegeNote is { } note)
            {
                json.WriteString("privilege_note", note);
            }

            json.WriteStartArray("advice");
            foreach (var a in report.Advice)
            {
                json.WriteStringValue(a);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    internal static void WriteServer(Utf8JsonWriter json, PgServerInfo server)
    {
        json.WriteStartObject("server");
        json.WriteString("version", server.Version);
        json.WriteString("user", server.CurrentUser);
        json.WriteNumber("max_connections", server.MaxConnections);
        json.WriteNumber("reserved_connections", server.ReservedTotal);
        json.WriteNumber("capacity", server.Capacity);
        json.WriteBoolean("sees_all_sessions", server.SeesAllSessions);
        json.WriteEndObject();
    }
}
