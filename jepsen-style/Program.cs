Console.Error.WriteLine("jepsen-style: no commands yet");
return 2;
