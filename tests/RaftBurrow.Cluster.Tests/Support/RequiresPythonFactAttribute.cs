namespace RaftBurrow.Cluster.Tests.Support;

/// <summary>Skips the test with a clear reason when no python3 can import Debian's python3-zaqarclient.</summary>
public sealed class RequiresZaqarClientFactAttribute : FactAttribute
{
    public RequiresZaqarClientFactAttribute()
    {
        if (PythonScript.WithZaqarClient is null)
            Skip = "/usr/bin/python3 cannot import zaqarclient (apt-get install -y python3-zaqarclient; .ci/run installs it)";
    }
}

/// <summary>Skips the test with a clear reason when there is no python3 at all.</summary>
public sealed class RequiresPythonFactAttribute : FactAttribute
{
    public RequiresPythonFactAttribute()
    {
        if (PythonScript.Plain is null)
            Skip = "no python3 found (neither /usr/bin/python3 nor python3 on PATH)";
    }
}
