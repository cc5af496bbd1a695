namespace LeakHound.Sources.Process;

/// <summary>Which process to watch: a fixed PID, or whatever process matches a name, across restarts.</summary>
public abstract record ProcessTarget
{
    private ProcessTarget() { }

    public sealed record ById(int Pid) : ProcessTarget
    {
        public override string ToString() => $"PID {Pid}";
    }

    public sealed record ByName(string Text) : ProcessTarget
    {
        public override string ToString() => $"'{Text}'";
    }
}
