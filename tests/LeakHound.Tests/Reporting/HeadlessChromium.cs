using System.Diagnostics;
using System.Text.RegularExpressions;

namespace LeakHound.Tests.Reporting;

/// <summary>What headless Chromium made of a page: its DOM after the scripts ran and its console output.</summary>
internal sealed record ChromiumPage(string Dom, string Log)
{
    /// <summary>The report's #lh-status text: "ok: N charts, M points, T ms" or "error: ...".</summary>
    public string Status => Regex.Match(Dom, "<div id=\"lh-status\"[^>]*>([^<]*)</div>") is { Success: true } m ? m.Groups[1].Value : "(no status element)";

    /// <summary>Console messages the page logged (Chromium prints them as CONSOLE lines with --enable-logging=stderr).</summary>
    public IReadOnlyList<string> ConsoleLines => [.. Log.Split('\n').Where(l => l.Contains("CONSOLE", StringComparison.Ordinal))];
}

/// <summary>
/// Runs the real Debian <c>chromium</c> headless on a local file with the network shut off, the way a user opens a
/// report offline. test.sh installs chromium when it is missing.
/// </summary>
internal static class HeadlessChromium
{
    private static readonly string[] Names = ["chromium", "chromium-browser"];

    public static string Executable =>
        Names
            .Select(name => Environment.GetEnvironmentVariable("PATH")!.Split(':').Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists))
            .FirstOrDefault(p => p is not null)
        ?? throw new InvalidOperationException("chromium is not installed; ./test.sh installs it (apt-get install chromium).");

    public static async Task<ChromiumPage> DumpDomAsync(string htmlPath) =>
        await RunAsync(htmlPath, ["--dump-dom"]);

    public static async Task<string> ScreenshotAsync(string htmlPath, string pngPath, int width = 1280, int height = 2000)
    {
        var page = await RunAsync(htmlPath, [$"--screenshot={pngPath}", $"--window-size={width},{height}"]);
        return page.Log;
    }

    private static async Task<ChromiumPage> RunAsync(string htmlPath, string[] mode)
    {
        var profile = Directory.CreateTempSubdirectory("leakhound-chromium-");
        try
        {
            var start = new ProcessStartInfo(Executable)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in (string[])[
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                $"--user-data-dir={profile.FullName}",

                // No network at all: every request would go to a proxy that does not exist.
                "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
                "--enable-logging=stderr", "--v=0",
                .. mode,
                new Uri(Path.GetFullPath(htmlPath)).AbsoluteUri])
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("chromium did not finish in 60 s: " + await stderr);
            }

            return new ChromiumPage(await stdout, await stderr);
        }
        finally
        {
            try
            {
                profile.Delete(recursive: true);
            }
            catch (IOException)
            {
                // Chromium's helpers may still hold a file for a moment; the temp folder is cleaned anyway.
            }
        }
    }
}
