Console.Error.WriteLine("raftburrow-cli: no commands yet");
return 2;
