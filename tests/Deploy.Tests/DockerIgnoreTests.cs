using SaliencySlider.Deploy.Tests.Support;

namespace SaliencySlider.Deploy.Tests;

/// <summary>The .dockerignore matcher the Dockerfile checks rely on follows Docker's rules.</summary>
public class DockerIgnoreTests
{
    private static readonly DockerIgnore Allowlist = DockerIgnore.Parse("""
        # comment
        *
        !services
        !clients/DemoWeb
        **/bin
        services/Gateway/wwwroot
        """);

    [Theory]
    [InlineData("services/Gateway/Program.cs", true)]
    [InlineData("clients/DemoWeb/package.json", true)]
    [InlineData("clients/Cli/Program.cs", false)]
    [InlineData("README.md", false)]
    [InlineData("services/Shared/bin/x.dll", false)]
    [InlineData("bin/x", false)]
    [InlineData("services/Gateway/wwwroot/index.html", false)]
    [InlineData("services/Gateway/wwwrootx", true)]
    public void Later_patterns_win_and_parent_directories_count(string path, bool included) =>
        Assert.Equal(included, Allowlist.IsIncluded(path));
}
