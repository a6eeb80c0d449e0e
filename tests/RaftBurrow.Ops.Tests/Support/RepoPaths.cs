namespace RaftBurrow.Ops.Tests.Support;

/// <summary>Finds files of the repository from the test's output directory (walks up to RaftBurrow.sln).</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Of(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "RaftBurrow.sln")))
                return dir.FullName;
        throw new InvalidOperationException("RaftBurrow.sln not found above " + AppContext.BaseDirectory);
    }
}
