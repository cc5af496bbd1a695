using LeakHound.Cli;

return await CliApp.RunAsync(args).ConfigureAwait(false);
