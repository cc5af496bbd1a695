using System.Diagnostics;
using System.Globalization;
using LeakHound.Recording;
using LeakHound.Samples;

namespace LeakHound.Sources.Command;

/// <summary>
/// Runs the user's own shell command each round and records the first number it prints (the seeds'
/// "measure anything": memory, disk space in a folder). The command text is the user's, so a shell is right here;
/// nothing from other parties is ever put into it.
/// </summary>
public sealed class CommandSource : ISampleSource
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly CommandSpec _spec;
    private bool _failing;

    public CommandSource(CommandSpec spec) => _spec = spec;

    public string Name => $"command {_spec.Name}";

    public async ValueTask CollectAsync(RoundBuilder round, CancellationToken cancellationToken)
    {
        var (value, problem) = await RunAsync(cancellationToken).ConfigureAwait(false);
        if (value is { } number)
        {
            round.Add(new Sample(_spec.Key, number));
            if (_failing)
            {
                round.Report(EventKind.Note, $"command {_spec.Name} works again");
                _failing = false;
            }
        }
        else
        {
            round.MarkDown(Name);
        }

        if (value is null && !_failing)
        {
            // Said once per failing streak, so a broken command does not flood the store.
            round.Report(EventKind.Note, $"command {_spec.Name}: {problem}");
            _failing = true;
        }
    }

    private async Task<(double? Value, string Problem)> RunAsync(CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(_spec.Shell);

        using var process = System.Diagnostics.Process.Start(start)
            ?? throw new LeakHoundException($"Could not start /bin/sh for command {_spec.Name}.");
        process.StandardInput.Close();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            var output = await stdout.ConfigureAwait(false);
            _ = await stderr.ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                return (null, $"exited with code {process.ExitCode}");
            }

            return FirstNumber(output) is { } number ? (number, "") : (null, "printed no number");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            return (null, $"took longer than {Duration.Format(Timeout)}");
        }
    }

    internal static double? FirstNumber(string output)
    {
        foreach (var token in output.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            if (double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
            {
                return value;
            }
        }

        return null;
    }
}
