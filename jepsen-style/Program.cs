
return await RaftBurrow.Jepsen.Runner.Commands.MainAsync(args);
