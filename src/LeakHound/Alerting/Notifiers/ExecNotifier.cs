using System.Diagnostics;
using System.Globalization;

namespace LeakHound.Alerting.Notifiers;

/// <summary>
/// Runs a program of the user's with the alert as JSON on standard input and as LEAKHOUND_ALERT_* environment
/// variables. The program gets no arguments and no shell: labels come from other parties and stay data.
/// </summary>
internal sealed class ExecNotifier : INotifier
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string _program;

    private ExecNotifier(string program) => _program = program;

    public string Description => $"exec:{_program}";

    public static ExecNotifier Parse(string path)
    {
        if (path.Length == 0 || !Path.IsPathFullyQualified(path))
        {
            throw new UsageException($"--notify exec:{path}: give the program's absolute path, such as exec:/usr/local/bin/page-oncall.");
        }

        if (!File.Exists(path))
        {
            throw new UsageException($"--notify exec:{path}: no such program.");
        }

        return new ExecNotifier(path);
    }

    public async Task SendAsync(AlertNotice notice, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(_program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in Environment(notice))
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {_program}");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                await process.StandardInput.BaseStream.WriteAsync(AlertJson.Serialize(notice), timeout.Token).ConfigureAwait(false);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The program did not read its input (a broken pipe): fine, its exit code decides.
            }

            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            _ = await stdout.ConfigureAwait(false);
            var errors = await stderr.ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                var first = errors.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim();
                throw new InvalidOperationException($"{_program} exited with code {process.ExitCode}{(first is null ? "" : ": " + first)}");
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{_program} took longer than {LeakHound.Duration.Format(Timeout)}");
        }
    }

    internal static IEnumerable<(string, string)> Environment(AlertNotice n)
    {
        yield return ("LEAKHOUND_ALERT_KIND", AlertText.KindName(n.Kind));
        yield return ("LEAKHOUND_ALERT_RULE", n.Rule);
        yield return ("LEAKHOUND_ALERT_SUMMARY", AlertText.Subject(n));
        yield return ("LEAKHOUND_ALERT_HOST", n.Host);
        yield return ("LEAKHOUND_ALERT_TIME", AlertText.Stamp(n.Time));
        if (n.Series is { } series)
        {
            yield return ("LEAKHOUND_ALERT_SERIES", series.ToString());
        }

        if (n.Value is { } value)
        {
            yield return ("LEAKHOUND_ALERT_VALUE", value.ToString(CultureInfo.InvariantCulture));
        }

        if (n.Capacity is { } capacity)
        {
            yield return ("LEAKHOUND_ALERT_CAPACITY", capacity.ToString(CultureInfo.InvariantCulture));
        }

        if (n.Since is { } since)
        {
            yield return ("LEAKHOUND_ALERT_SINCE", AlertText.Stamp(since));
        }

        if (n.Pid is { } pid)
        {
            yield return ("LEAKHOUND_ALERT_PID", pid.ToString(CultureInfo.InvariantCulture));
        }

        if (n.Process is { } process)
        {
            yield return ("LEAKHOUND_ALERT_PROCESS", process);
        }
    }
}
