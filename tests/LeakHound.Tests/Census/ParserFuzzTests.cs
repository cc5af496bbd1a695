using LeakHound.Samples;
using LeakHound.Sources.Process.Linux;

namespace LeakHound.Tests.Census;

// Seeded so a failure reproduces; the parsers must refuse garbage in their designated way, never crash.
public sealed class ParserFuzzTests
{
    [Fact]
    public void Netlink_parser_only_ever_throws_its_own_exception()
    {
        var random = new Random(20240501);
        var valid = new NetlinkBuffer()
            .Inet(1, 2, (byte)TcpState.Established, [127, 0, 0, 1], 1, [127, 0, 0, 1], 2, 3)
            .Inet(1, 10, (byte)TcpState.CloseWait, new byte[16], 1, new byte[16], 2, 4, extra: 8)
            .Unix(1, 5)
            .Error(1, 0)
            .Done(1)
            .ToArray();
        var outcomes = new HashSet<string>();

        for (var round = 0; round < 20_000; round++)
        {
            var buffer = round % 3 == 0 ? RandomBytes(random) : Mutate(random, valid);
            var kind = (SocketKind)random.Next(3);
            try
            {
                SockDiagParser.Parse(buffer, 1, kind, new SocketTable());
                outcomes.Add("parsed");
            }
            catch (SockDiagException)
            {
                outcomes.Add("refused");
            }
        }

        // Both outcomes must occur, or the fuzzing never reached one side of the parser.
        Assert.Equal(["parsed", "refused"], outcomes.Order());
    }

    [Fact]
    public void Proc_net_line_parser_never_throws()
    {
        var random = new Random(42);
        string[] valid =
        [
            "   3: 0100007F:9C40 0302010A:1F90 08 00000000:00000000 00:00000000 00000000     0        0 12345 1 0000000000000000 20 4 30 10 -1",
            "   0: 00000000000000000000000001000000:1538 00000000000000000000000001000000:D431 01 00000000:00000000 00:00000000 00000000  1000        0 777 1",
            "0000000000000000: 00000002 00000000 00010000 0001 01 109311 /tmp/x",
        ];
        const string Alphabet = "0123456789ABCDEFabcdefx: []-\t\n\0";
        var parsed = 0;

        for (var round = 0; round < 20_000; round++)
        {
            var chars = valid[random.Next(valid.Length)].ToCharArray();
            var edits = random.Next(0, 4);
            for (var i = 0; i < edits && chars.Length > 0; i++)
            {
                chars[random.Next(chars.Length)] = Alphabet[random.Next(Alphabet.Length)];
            }

            var line = new string(chars, 0, random.Next(chars.Length + 1));
            if (round % 5 == 0)
            {
                line = new string([.. Enumerable.Range(0, random.Next(200)).Select(_ => (char)random.Next(0, 0x3000))]);
            }

            parsed += ProcNetTcp.TryParseLine(line, out _) ? 1 : 0;
            parsed += ProcNetUnix.TryParseLine(line, out _) ? 1 : 0;
        }

        Assert.InRange(parsed, 1, 39_999);
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 300)];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Mutate(Random random, byte[] valid)
    {
        var bytes = valid[..random.Next(valid.Length + 1)];
        var edits = random.Next(0, 4);
        for (var i = 0; i < edits && bytes.Length > 0; i++)
        {
            // Mostly small values, which hit lengths and types near their boundaries.
            bytes[random.Next(bytes.Length)] = random.Next(2) == 0 ? (byte)random.Next(256) : (byte)random.Next(24);
        }

        return bytes;
    }
}
