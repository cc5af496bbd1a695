using LeakHound.Recording;

namespace LeakHound.Tests.Recording;

/// <summary>The store is read by one table scan when most series are wanted and through the index otherwise: both must agree.</summary>
public sealed class StoreReadPathTests
{
    [Fact]
    public async Task Rounds_written_out_of_time_order_read_back_in_time_order_by_either_path()
    {
        using var folder = new TempFolder();
        var path = folder.Path("unordered.db");
        await using (var store = SqliteStore.OpenForWriting(path))
        {
            foreach (var i in new[] { 5, 1, 9, 0, 3, 7, 2, 8, 6, 4 })
            {
                await store.WriteRoundAsync(Rounds.Round(i), TestContext.Current.CancellationToken);
            }
        }

        var all = RecordingReader.Read(path);
        Rounds.AssertHoldsRounds(all, 0, 10);

        // One series of four: the index path.
        var one = RecordingReader.Read(path, Rounds.Fds.ToString());
        Assert.Equal(all.Find(Rounds.Fds)!.Points, Assert.Single(one.Series).Points);
    }
}
