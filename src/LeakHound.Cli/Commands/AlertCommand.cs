using System.CommandLine;
using LeakHound.Alerting;
using LeakHound.Alerting.Notifiers;
using LeakHound.Cli.Views;
using Spectre.Console;

namespace LeakHound.Cli.Commands;

/// <summary><c>leakhound alert test</c>: seed 002's lesson, "make sure your alerts alert", as one command.</summary>
internal static class AlertCommand
{
    public static Command Build()
    {
        var settings = new AlertSettings();
        var json = new Option<bool>("--json") { Description = "Print the deliveries as JSON: notifier, delivered, attempts, error." };
        var test = new Command("test", "Send a clearly marked test alert through every notifier and say which delivered it.")
        {
            settings.Notify, settings.Config, json,
        };
        test.SetAction(async (parse, cancellationToken) =>
        {
            var notifiers = settings.Resolve(parse, capacity: null).Notifiers;
            if (notifiers.Count == 0)
            {
                throw new UsageException("No notifier to test: give --notify or --config.");
            }

            var notice = new AlertNotice
            {
                Kind = NoticeKind.Test,
                Rule = "test alert from leakhound alert test",
                Time = DateTimeOffset.UtcNow,
                Process = "leakhound alert test",
            };
            var retry = new RetryPolicy(2, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(1));
            var deliveries = await AlertDispatcher.SendNowAsync(notifiers, notice, retry, cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                WriteJson(deliveries);
            }
            else
            {
                foreach (var d in deliveries)
                {
                    AnsiConsole.MarkupLine(d.Delivered
                        ? $"[green]delivered[/]      {Terminal.Safe(d.Notifier)}"
                        : $"[red]NOT delivered[/]  {Terminal.Safe(d.Notifier)}: {Terminal.Safe(d.Error ?? "")}");
                }
            }

            return deliveries.All(d => d.Delivered) ? CliApp.Ok : CliApp.Failed;
        });
        return new Command("alert", "Alerting tools.") { test };
    }

    /// <summary>One array, a delivery per notifier (its description masks passwords and tokens).</summary>
    private static void WriteJson(IReadOnlyList<Delivery> deliveries)
    {
        StdoutJson.Write(json =>
        {
            json.WriteStartArray();
            foreach (var d in deliveries)
            {
                json.WriteStartObject();
                json.WriteString("notifier", d.Notifier);
                json.WriteBoolean("delivered", d.Delivered);
                json.WriteNumber("attempts", d.Attempts);
                json.WriteString("error", d.Error);

                json.WriteEndObject();
            }

            json.WriteEndArray();
        });
    }
}
