using System.CommandLine;
using LeakHound.Cli.Views;
using LeakHound.Sources.DotNet;
using LeakHound.Sources.Process;
using Spectre.Console;

namespace LeakHound.Cli.Commands;

internal static class PsCommand
{
    private static readonly string[] Orders = ["tcp", "close-wait", "fds", "fd-use"];

    public static Command Build()
    {
        var sort = new Option<string>("--sort") { Description = "Rank by tcp, close-wait, fds or fd-use (fds against the limit).", DefaultValueFactory = _ => "tcp" };
        sort.AcceptOnlyFromAmong(Orders);
        var top = new Option<int>("--top") { Description = "How many processes to show.", DefaultValueFactory = _ => 20 };
        var json = new Option<bool>("--json") { Description = "Print the whole ranking as JSON." };
        var command = new Command("ps", "Rank the machine's processes by TCP sockets, CLOSE_WAIT and fd use: where to look first.") { sort, top, json };
        command.SetAction(parse =>
        {
            var inspector = ProcessInspectors.ForCurrentOs();
            var rows = Rank(inspector.Overview(out var notPermitted), parse.GetValue(sort)!);
            if (inspector.FallbackReason is { } reason)
            {
                // On stderr, so --json stays one JSON document.
                Console.Error.WriteLine("leakhound: note: " + reason);
            }

            // One listing of the diagnostics sockets for the whole table: a .NET process with one can be read with --dotnet.
            var attachable = DotNetProcesses.WithDiagnosticsSocket();
            if (parse.GetValue(json))
            {
                WriteJson(rows, attachable);
            }
            else
            {
                WriteTable(rows.Take(Math.Max(1, parse.GetValue(top))).ToList(), rows.Count, notPermitted, attachable);
            }

            return CliApp.Ok;
        });
        return command;
    }

    internal static List<ProcessOverview> Rank(IEnumerable<ProcessOverview> processes, string order) => order switch
    {
        "close-wait" => processes.OrderByDescending(p => p.CloseWait).ThenByDescending(p => p.TcpSockets).ToList(),
        "fds" => processes.OrderByDescending(p => p.Fds).ToList(),
        "fd-use" => processes.OrderByDescending(p => FdUse(p) ?? -1).ThenByDescending(p => p.Fds).ToList(),
        _ => processes.OrderByDescending(p => p.TcpSockets).ThenByDescending(p => p.CloseWait).ThenByDescending(p => p.Fds).ToList(),
    };

    private static double? FdUse(ProcessOverview p) => p.FdLimit is { } limit && limit > 0 ? (double)p.Fds / limit : null;

    private static void WriteTable(List<ProcessOverview> rows, int total, int notPermitted, HashSet<int> attachable)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (var c in new[] { "PID", "TCP", "CLOSE_WAIT", "FDS", "LIMIT", "FD USE", ".NET", "PROCESS" })
        {
            table.AddColumn(new TableColumn(c) { Alignment = c is "PROCESS" or ".NET" ? Justify.Left : Justify.Right });
        }

        foreach (var p in rows)
        {
            var use = FdUse(p);
            table.AddRow(
                p.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Format.Count(p.TcpSockets),
                p.CloseWait > 0 ? $"[red]{Format.Count(p.CloseWait)}[/]" : "0",
                Format.Count(p.Fds),
                p.FdLimit is { } l ? Format.Count(l) : "unlimited",
                use is { } u ? (u >= 0.75 ? $"[red]{Format.Percent(u, 1)}[/]" : Format.Percent(u, 1)) : "-",
                attachable.Contains(p.Pid) ? "attachable" : "",
                Terminal.Safe(UntrustedText.Shorten(string.IsNullOrWhiteSpace(p.CommandLine) ? p.Name : p.CommandLine, 70)));
        }

        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"[grey]{rows.Count} of {total} processes shown; watch one with: leakhound watch --pid PID (and --dotnet for an attachable .NET process's pools)[/]");
        if (notPermitted > 0)
        {
            AnsiConsole.MarkupLine($"[yellow]{notPermitted} processes of other users could not be inspected; run as root (or with CAP_SYS_PTRACE) to see them.[/]");
        }
    }

    private static void WriteJson(List<ProcessOverview> rows, HashSet<int> attachable)
    {
        StdoutJson.Write(json =>
        {
            json.WriteStartArray();
            foreach (var p in rows)
            {
                json.WriteStartObject();
                json.WriteNumber("pid", p.Pid);
                json.WriteString("name", p.Name);
                json.WriteString("command_line", p.CommandLine);
                json.WriteNumber("tcp", p.TcpSockets);
                json.WriteNumber("close_wait", p.CloseWait);
                json.WriteNumber("fds", p.Fds);
                json.WriteBoolean("dotnet_attachable", attachable.Contains(p.Pid));
                json.WriteNumberOrNull("fd_limit", p.FdLimit);

                json.WriteEndObject();
            }

            json.WriteEndArray();
        });
    }
}
