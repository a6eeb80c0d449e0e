// The raftburrow server: everything lives in RaftBurrowServer so tests can embed it.
await RaftBurrow.Server.RaftBurrowServer.Build(args).RunAsync().ConfigureAwait(false);
