using SaliencySlider.Deploy.Tests.Support;

namespace SaliencySlider.Deploy.Tests;

/// <summary>The Dockerfiles, parsed: what they copy exists and reaches the builder, and the images run as non-root.</summary>
public class DockerfileTests
{
    public static TheoryData<string> Dockerfiles => new() { "services/Gateway/Dockerfile", "services/ExplainerWorker/Dockerfile", "clients/Cli/Dockerfile" };

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void Every_path_copied_from_the_build_context_exists_and_is_not_ignored(string dockerfilePath)
    {
        var dockerfile = Dockerfile.Load(dockerfilePath);
        var problems = new List<string>();
        foreach (var ignoreFile in IgnoreFilesFor(dockerfilePath))
        {
            var ignore = DockerIgnore.Load(ignoreFile);
            foreach (var copy in ContextCopies(dockerfile))
            {
                foreach (var source in copy.Sources)
                {
                    var path = RepositoryPaths.Combine(source);
                    var relative = source.Trim('/');
                    if (File.Exists(path))
                    {
                        if (!ignore.IsIncluded(relative))
                        {
                            problems.Add($"{ignoreFile} excludes {source}");
                        }
                    }
                    else if (Directory.Exists(path))
                    {
                        var files = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                            .Select(file => Path.GetRelativePath(RepositoryPaths.Root, file).Replace('\\', '/'));
                        if (!files.Any(ignore.IsIncluded))
                        {
                            problems.Add($"{ignoreFile} excludes everything under {source}");
                        }
                    }
                    else
                    {
                        problems.Add($"{source} does not exist");
                    }
                }
            }
        }

        Assert.Empty(problems);
    }

    /// <summary>
    /// A stage that publishes a project must copy that project's folder and every folder its
    /// ProjectReferences reach (the gateway once referenced the engine without copying it).
    /// </summary>
    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void Each_published_project_and_every_project_it_references_is_copied_into_its_stage(string dockerfilePath)
    {
        var dockerfile = Dockerfile.Load(dockerfilePath);
        var published = 0;
        foreach (var stage in dockerfile.Stages)
        {
            var copied = AncestorStages(dockerfile, stage)
                .SelectMany(s => s.All("COPY"))
                .Select(Dockerfile.ParseCopy)
                .Where(copy => copy.FromStage is null)
                .SelectMany(copy => copy.Sources)
                .Select(source => source.Trim('/'))
                .ToHashSet(StringComparer.Ordinal);
            foreach (var run in stage.All("RUN"))
            {
                foreach (var (verb, project) in PublishedProjects(run.Arguments))
                {
                    published++;
                    foreach (var reached in ReferencedProjects(project))
                    {
                        var folder = Path.GetDirectoryName(reached)!.Replace('\\', '/');
                        var needed = verb == "restore" ? [folder, reached] : new[] { folder };
                        Assert.True(needed.Any(copied.Contains), $"{dockerfilePath} stage {stage.Name} runs dotnet {verb} {project} but copies neither of {string.Join(", ", needed)}");
                    }
                }
            }
        }

        Assert.True(published > 0, $"{dockerfilePath} publishes no project");
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void The_build_context_leaves_out_build_outputs_tests_and_dependencies(string dockerfilePath)
    {
        foreach (var ignoreFile in IgnoreFilesFor(dockerfilePath))
        {
            var ignore = DockerIgnore.Load(ignoreFile);
            foreach (var path in new[]
            {
                ".git/HEAD", "tests/Engine.Tests/SaliencySlider.Engine.Tests.csproj", "bench/README.md", ".data/models/x.onnx",
                "services/Shared/bin/Release/net10.0/SaliencySlider.Shared.dll", "services/Shared/obj/project.assets.json",
                "clients/DemoWeb/node_modules/yaml/package.json", "services/Gateway/wwwroot/index.html",
                "deploy/k8s/validate/node_modules/yaml/package.json",
            })
            {
                Assert.False(ignore.IsIncluded(path), $"{ignoreFile} sends {path}");
            }

            Assert.True(ignore.IsIncluded("services/Shared/SaliencySlider.Shared.csproj"), ignoreFile);
            Assert.True(ignore.IsIncluded("protos/saliency/v1/saliency.proto"), ignoreFile);
        }
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void Every_copy_from_a_stage_names_an_earlier_stage(string dockerfilePath)
    {
        var dockerfile = Dockerfile.Load(dockerfilePath);
        for (var index = 0; index < dockerfile.Stages.Count; index++)
        {
            var earlier = dockerfile.Stages.Take(index).Select(s => s.Name).ToHashSet();
            foreach (var copy in dockerfile.Stages[index].All("COPY").Select(Dockerfile.ParseCopy).Where(c => c.FromStage is not null))
            {
                Assert.True(earlier.Contains(copy.FromStage), $"stage {index} copies from unknown stage {copy.FromStage}");
            }
        }
    }

    [Theory]
    [InlineData("services/Gateway/Dockerfile", "runtime")]
    [InlineData("services/ExplainerWorker/Dockerfile", "cpu")]
    [InlineData("services/ExplainerWorker/Dockerfile", "cuda")]
    public void Each_image_runs_as_a_non_root_user_with_a_health_check(string dockerfilePath, string target)
    {
        var stage = Dockerfile.Load(dockerfilePath).Stage(target);
        var user = stage.All("USER").Last().Arguments;

        Assert.DoesNotContain(user, new[] { "root", "0", "0:0" });
        Assert.True(user is "$APP_UID" or "${APP_UID}" || int.Parse(user, System.Globalization.CultureInfo.InvariantCulture) >= 1000, user);
        Assert.Contains("/healthz", stage.All("HEALTHCHECK").Single().Arguments, StringComparison.Ordinal);
        Assert.Contains("ENTRYPOINT", stage.Instructions[^1].Keyword, StringComparison.Ordinal);
    }

    [Fact]
    public void The_CLI_image_runs_as_non_root_with_fetch_models_and_a_downloader_on_its_path()
    {
        var stage = Dockerfile.Load("clients/Cli/Dockerfile").Stage("runtime");
        var runs = string.Join('\n', stage.All("RUN").Select(r => r.Arguments));

        Assert.Equal("$APP_UID", stage.All("USER").Last().Arguments);
        Assert.Contains("install -y --no-install-recommends curl", runs, StringComparison.Ordinal);
        Assert.Contains("chown \"$APP_UID\" /models", runs, StringComparison.Ordinal);
        Assert.Contains(stage.All("COPY").Select(Dockerfile.ParseCopy), c => c.FromStage == "build");
        Assert.Contains("SALIENCY_CLI=/app/saliency", stage.All("ENV").Single().Arguments, StringComparison.Ordinal);
        Assert.Contains("ENTRYPOINT", stage.Instructions[^1].Keyword, StringComparison.Ordinal);
        Assert.Contains(
            "dotnet publish clients/Cli/SaliencySlider.Cli.csproj",
            Dockerfile.Load("clients/Cli/Dockerfile").Stage("build").All("RUN").Single().Arguments,
            StringComparison.Ordinal);
    }

    [Fact]
    public void The_worker_targets_build_with_the_matching_ONNX_Runtime_flavor()
    {
        var dockerfile = Dockerfile.Load("services/ExplainerWorker/Dockerfile");

        Assert.Contains(dockerfile.Stage("cpu").All("COPY").Select(Dockerfile.ParseCopy), c => c.FromStage == "build-cpu");
        Assert.Contains(dockerfile.Stage("cuda").All("COPY").Select(Dockerfile.ParseCopy), c => c.FromStage == "build-cuda");
        Assert.Contains("-p:OrtFlavor=Cpu", dockerfile.Stage("build-cpu").All("RUN").Single().Arguments, StringComparison.Ordinal);
        Assert.Contains("-p:OrtFlavor=Gpu", dockerfile.Stage("build-cuda").All("RUN").Single().Arguments, StringComparison.Ordinal);
        Assert.Contains(
            "'$(OrtFlavor)' == 'Gpu'",
            File.ReadAllText(RepositoryPaths.Combine("services/ExplainerWorker/SaliencySlider.ExplainerWorker.csproj")),
            StringComparison.Ordinal);
    }

    [Fact]
    public void The_gateway_image_publishes_the_demo_page_built_from_the_protos()
    {
        var dockerfile = Dockerfile.Load("services/Gateway/Dockerfile");
        var web = dockerfile.Stage("web");
        var build = dockerfile.Stage("build");

        Assert.Contains(web.All("COPY").Select(Dockerfile.ParseCopy), c => c.Sources.Contains("protos/"));
        Assert.Contains(web.All("RUN"), r => r.Arguments.Contains("npm run build", StringComparison.Ordinal));
        Assert.Contains(
            build.All("COPY").Select(Dockerfile.ParseCopy),
            c => c.FromStage == "web" && c.Destination.TrimEnd('/') == "services/Gateway/wwwroot");
        Assert.Contains(build.All("RUN"), r => r.Arguments.Contains("dotnet publish services/Gateway/SaliencySlider.Gateway.csproj", StringComparison.Ordinal));
    }

    private static IEnumerable<DockerStage> AncestorStages(Dockerfile dockerfile, DockerStage stage)
    {
        for (DockerStage? current = stage; current is not null;)
        {
            yield return current;
            current = dockerfile.Stages.FirstOrDefault(s => s.Name is not null && s.Name == current.Image);
        }
    }

    private static IEnumerable<(string Verb, string Project)> PublishedProjects(string run) =>
        System.Text.RegularExpressions.Regex.Matches(run, @"dotnet (publish|restore|build) (\S+\.csproj)")
            .Select(match => (match.Groups[1].Value, match.Groups[2].Value));

    /// <summary>A project and every project its ProjectReferences reach, relative to the repository.</summary>
    private static IEnumerable<string> ReferencedProjects(string project)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var current))
        {
            if (!seen.Add(current))
            {
                continue;
            }

            var folder = Path.GetDirectoryName(current)!;
            var xml = System.Xml.Linq.XDocument.Load(RepositoryPaths.Combine(current));
            foreach (var reference in xml.Descendants("ProjectReference").Select(r => (string)r.Attribute("Include")!))
            {
                var full = Path.GetFullPath(Path.Combine(RepositoryPaths.Combine(folder), reference));
                pending.Push(Path.GetRelativePath(RepositoryPaths.Root, full).Replace('\\', '/'));
            }
        }

        return seen;
    }

    private static IEnumerable<DockerCopy> ContextCopies(Dockerfile dockerfile) =>
        dockerfile.Stages.SelectMany(stage => stage.All("COPY").Concat(stage.All("ADD")))
            .Select(Dockerfile.ParseCopy)
            .Where(copy => copy.FromStage is null);

    /// <summary>BuildKit reads &lt;Dockerfile&gt;.dockerignore; the classic builder reads the root .dockerignore.</summary>
    private static IEnumerable<string> IgnoreFilesFor(string dockerfilePath) => [$"{dockerfilePath}.dockerignore", ".dockerignore"];
}
