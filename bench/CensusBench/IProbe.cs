namespace CensusBench;

/// <summary>One way of counting the TCP sockets of a process; what the benchmark times.</summary>
internal interface IProbe
{
    string Name { get; }

    /// <summary>The TCP sockets of <paramref name="pid"/> this method sees.</summary>
    int CountTcp(int pid);
}
