using System.CommandLine;
using LeakHound.Cli.Commands;
using Spectre.Console;

namespace LeakHound.Cli;

/// <summary>Builds the command tree and turns every failure into one line and an exit code (0 fine, 1 failed or leak found, 2 usage).</summary>
internal static class CliApp
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;

    public static RootCommand Build()
    {
        var root = new RootCommand("LeakHound finds, watches and explains connection leaks in any Linux process and PostgreSQL server.");
        root.Add(WatchCommand.Build());
        root.Add(ServeCommand.Build());
        root.Add(PsCommand.Build());
        root.Add(ExportCommand.Build());
        root.Add(PlotCommand.Build());
        root.Add(AnalyzeCommand.Build());
        root.Add(AlertCommand.Build());
        root.Add(DemoCommand.Build());
        root.Add(PgCommand.Build());
        root.Add(CapacityCommand.Build());
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        if (Console.IsOutputRedirected)
        {
            // Into a pipe or a file, a sentence should stay on one line for grep, not wrap at 80 columns.
            AnsiConsole.Profile.Width = 240;
        }

        var parsed = Build().Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors.Take(1))
            {
                Console.Error.WriteLine($"leakhound: {error.Message} (see --help)");
            }

            return Usage;
        }

        try
        {
            // Our own handler below prints one line; System.CommandLine's would print a stack trace.
            return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }).ConfigureAwait(false);
        }
        catch (LeakHoundException e)
        {
            return Fail(e.Message, e.ExitCode);
        }
        catch (OperationCanceledException)
        {
            return Ok;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("LEAKHOUND_DEBUG") is null)
        {
            // A bug of ours still gets one line; LEAKHOUND_DEBUG=1 shows the stack trace for a report.
            return Fail($"internal error: {e.GetType().Name}: {e.Message} (set LEAKHOUND_DEBUG=1 for details)", Failed);
        }
    }

    private static int Fail(string message, int exitCode)
    {
        Console.Out.Flush();
        Console.Error.WriteLine($"leakhound: {Terminal.Neutralise(message)}");
        return exitCode;
    }
}
