using System.Text;
using LeakHound.Alerting;
using LeakHound.Recording;
using LeakHound.Sources.Postgres;

namespace LeakHound.Tests.Fuzz;

/// <summary>
/// Seeded random input for every parser of outside text that has no fuzz test of its own: nothing crashes, and the
/// only failure is the parser's own one-line error (the census parsers and alert rules are fuzzed beside their tests).
/// </summary>
public sealed class InputFuzzTests
{
    private const int Cases = 3000;

    private static string RandomText(Random random, string alphabet, int maxLength)
    {
        var chars = new char[random.Next(0, maxLength)];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = alphabet[random.Next(alphabet.Length)];
        }

        return new string(chars);
    }

    [Fact]
    public void Durations()
    {
        var random = new Random(1);
        for (var i = 0; i < Cases; i++)
        {
            var text = RandomText(random, "0123456789.msdhx -+e\u00A0", 12);
            if (Duration.TryParse(text, out var span))
            {
                Assert.True(span >= TimeSpan.Zero, text);
            }
            else
            {
                var error = Assert.Throws<UsageException>(() => Duration.Parse(text));
                Assert.DoesNotContain('\n', error.Message);
            }
        }
    }

    [Fact]
    public void Csv_files_fail_only_with_a_located_one_line_error()
    {
        var random = new Random(2);
        var dir = Directory.CreateTempSubdirectory("leakhound-fuzz-");
        try
        {
            var path = Path.Combine(dir.FullName, "fuzz.csv");
            string[] seeds = ["time,series,value\n2026-11-23T06:00:00Z,m,1\n", "1493117580,37\n1493117585,38\n", "time,a,b\n1,2,3\n"];
            for (var i = 0; i < Cases / 3; i++)
            {
                var text = new StringBuilder(seeds[i % seeds.Length]);
                for (var m = random.Next(1, 6); m > 0; m--)
                {
                    var at = random.Next(text.Length + 1);
                    text.Insert(at, RandomText(random, "0123456789,.\"\n\r#:{}=a-TZ \u0000\u00FF", 8));
                }

                File.WriteAllText(path, text.ToString());
                try
                {
                    RecordingReader.Read(path);
                }
                catch (LeakHoundException e)
                {
                    Assert.DoesNotContain('\n', e.Message);
                    Assert.Contains("fuzz.csv", e.Message);
                }
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Config_files_fail_only_with_a_located_usage_error()
    {
        var random = new Random(3);
        var dir = Directory.CreateTempSubdirectory("leakhound-fuzz-");
        try
        {
            var path = Path.Combine(dir.FullName, "alerts.yaml");
            const string Seed = "alerts:\n  - process.fds > 90% of limit\nnotify:\n  - exec:/bin/true\nrepeat: 4h\n";
            for (var i = 0; i < Cases / 3; i++)
            {
                var text = new StringBuilder(Seed);
                for (var m = random.Next(1, 4); m > 0; m--)
                {
                    text.Insert(random.Next(text.Length + 1), RandomText(random, ":-[]{}\"' \n\t&*!|>%@`#abc1", 6));
                }

                File.WriteAllText(path, text.ToString());
                try
                {
                    AlertConfig.Load(path);
                }
                catch (UsageException e)
                {
                    Assert.DoesNotContain('\n', e.Message);
                    Assert.Contains("alerts.yaml", e.Message);
                }
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Connection_strings_never_crash_the_mask_and_never_leak_the_password()
    {
        var random = new Random(4);
        for (var i = 0; i < Cases; i++)
        {
            var password = "Pw" + RandomText(random, "abcXYZ019!;='\"@:/ ", 10) + "9z";
            var text = (i % 3) switch
            {
                0 => $"Host=db;Username=app;Password={password};{RandomText(random, "=;' \"x", 6)}",
                1 => $"postgresql://app:{Uri.EscapeDataString(password)}@db:5432/x?{RandomText(random, "=&x;", 6)}",
                _ => RandomText(random, "Host=;Password'\"@:/ab", 30) + ";Password=" + password,
            };

            var masked = ConnectionStrings.Mask($"could not connect using {text}", text);
            Assert.DoesNotContain(password, masked);
            try
            {
                ConnectionStrings.Parse(text);
            }
            catch (LeakHoundException e)
            {
                Assert.DoesNotContain(password, e.Message);
            }
        }
    }
}
