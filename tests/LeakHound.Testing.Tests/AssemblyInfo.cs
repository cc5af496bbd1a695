// The guards count process-wide connections: tests that open connections must not overlap.
[assembly: Xunit.v3.Parallelization(Mode = Xunit.Sdk.ParallelMode.None)]
