using System.Text;
using LeakHound.Samples;

namespace LeakHound.Recording;

/// <summary>Writes rounds as long-format CSV (<c>time,series,value</c>), one line per sample, flushed each round.</summary>
/// <remarks>
/// Events are comment lines (see <see cref="CsvFormat"/>), so the file stays a plain three-column table.
/// An existing file is appended to only when it is already such a recording; anything else is left untouched.
/// Non-finite values are skipped: they are "no value", as in the store.
/// </remarks>
public sealed class CsvSampleWriter : ISampleSink
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly string _path;
    private readonly StreamWriter _writer;
    private readonly StringBuilder _buffer = new();
    private bool _disposed;

    private CsvSampleWriter(string path, StreamWriter writer)
    {
        _path = path;
        _writer = writer;
    }

    public static CsvSampleWriter OpenForWriting(string path)
    {
        RecordingPath.EnsureWritable(path);
        FileStream? stream = null;
        try
        {
            var (exists, needsNewline) = Inspect(path);
            stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
            var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)) { NewLine = "\n" };
            if (needsNewline)
            {
                // A crash mid-line left a partial line: start ours on a fresh one rather than gluing onto it.
                writer.Write('\n');
            }

            if (!exists)
            {
                writer.Write(CsvFormat.LongHeader + "\n");
            }

            writer.Flush();
            return new CsvSampleWriter(path, writer);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stream?.Dispose();
            throw RecordingPath.CannotWrite(path, RecordingPath.Reason(e), e);
        }
    }

    public async ValueTask WriteRoundAsync(SampleRound round, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _buffer.Clear();
            var time = CsvFormat.Time(round.Time);
            foreach (var sample in round.Samples)
            {
                if (double.IsFinite(sample.Value))
                {
                    _buffer.Append(time).Append(',').AppendCell(sample.Key.ToString()).Append(',').Append(CsvFormat.Number(sample.Value)).Append('\n');
                }
            }

            await WriteAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask WriteEventAsync(RecordedEvent recordedEvent, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _buffer.Clear().Append(CsvFormat.EventLine(recordedEvent)).Append('\n');
            await WriteAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            await _writer.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw RecordingPath.CannotWrite(_path, RecordingPath.Reason(e), e);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Writes the buffered lines and flushes them to the OS. Not cancellable once started: a round is written
    /// whole or not at all, so Ctrl+C never leaves half a round in the file.
    /// </summary>
    private async Task WriteAsync()
    {
        try
        {
            await _writer.WriteAsync(_buffer, CancellationToken.None).ConfigureAwait(false);
            await _writer.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw RecordingPath.CannotWrite(_path, RecordingPath.Reason(e), e);
        }
    }

    /// <summary>Whether the file already holds a recording to append to, and whether its last line is unfinished.</summary>
    private static (bool Exists, bool NeedsNewline) Inspect(string path)
    {
        if (!File.Exists(path) || new FileInfo(path).Length == 0)
        {
            return (false, false);
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, leaveOpen: true);
        var header = reader.ReadLine();
        if (header is null || !string.Equals(header.Replace(" ", "", StringComparison.Ordinal).TrimEnd('\r'), CsvFormat.LongHeader, StringComparison.OrdinalIgnoreCase))
        {
            throw RecordingPath.CannotWrite(path, $"it exists and is not a LeakHound CSV recording ({CsvFormat.LongHeader}); refusing to overwrite it");
        }

        stream.Seek(-1, SeekOrigin.End);
        return (true, stream.ReadByte() != '\n');
    }
}
