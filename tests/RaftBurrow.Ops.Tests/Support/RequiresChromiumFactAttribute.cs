namespace RaftBurrow.Ops.Tests.Support;

/// <summary>Skips the test with a clear reason when Debian's chromium is not installed.</summary>
public sealed class RequiresChromiumFactAttribute : FactAttribute
{
    public RequiresChromiumFactAttribute()
    {
        if (HeadlessChromium.FindBinary() is null)
            Skip = "chromium is not installed (apt-get install -y chromium, or set CHROMIUM_PATH to a Chromium binary)";
    }
}
