using SaliencySlider.Deploy.Tests.Support;

namespace SaliencySlider.Deploy.Tests;

/// <summary>
/// The gRPC contract (protos/) follows buf's STANDARD lint rules, and stays compatible with the
/// released baseline (protos/releases/): `buf lint` and `buf breaking` with buf.yaml at the root.
/// </summary>
public class ContractTests
{
    [Fact]
    public void The_contract_passes_buf_lint()
    {
        var result = Buf.Run(["lint"]);

        Assert.True(result.ExitCode == 0 && result.StandardOutput.Length == 0, result.Describe());
    }

    [Fact]
    public void The_contract_has_no_breaking_change_against_the_released_baseline()
    {
        var result = Buf.Run(["breaking", "--against", Buf.Baseline]);

        Assert.True(result.ExitCode == 0 && result.StandardOutput.Length == 0, result.Describe());
    }

    public static TheoryData<string, string, string, string> LintViolations => new()
    {
        // rule, what the contract has, what the violation makes of it, where buf reports it
        { "ENUM_VALUE_PREFIX", "  JOB_STATE_FAILED = 4;", "  JOB_STATE_FAILED = 4;\n  CANCELLED = 5;", "CANCELLED" },
        { "SERVICE_SUFFIX", "service SaliencySliderService {", "service SaliencySlider {", "SaliencySlider" },
        { "RPC_REQUEST_RESPONSE_UNIQUE", "rpc Explain(ExplainRequest)", "rpc Explain(SubmitRequest)", "saliency.v1.SubmitRequest" },
        { "RPC_RESPONSE_STANDARD_NAME", "returns (GetJobResponse) {", "returns (Job) {", "GetJobResponse" },
    };

    [Theory]
    [MemberData(nameof(LintViolations))]
    public void Buf_lint_reports_a_contract_that_breaks_a_STANDARD_rule(string rule, string text, string violation, string named)
    {
        var workspace = Buf.EditedWorkspace(contract => contract.Replace(text, violation, StringComparison.Ordinal));
        try
        {
            var result = Buf.Run(["lint", "--error-format", "json"], workspace);

            Assert.True(result.ExitCode == 100, result.Describe());
            Assert.Contains(result.StandardOutput.Split('\n'), line => line.Contains($"\"type\":\"{rule}\"", StringComparison.Ordinal)
                && line.Contains(named, StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(workspace, recursive: true);
        }
    }

    public static TheoryData<string, string, string, string> BreakingChanges => new()
    {
        // rule, what the contract has, what the change makes of it, where buf reports it
        { "FIELD_NO_DELETE", "  bool cached = 3;", "  reserved 3;", "cached" },
        { "FIELD_SAME_TYPE", "  int64 queue_position = 4;\n}", "  int32 queue_position = 4;\n}", "queue_position" },
        { "ENUM_VALUE_SAME_NAME", "CAM_METHOD_GRAD_CAM = 1;", "CAM_METHOD_GRADCAM = 1;", "CAM_METHOD_GRAD_CAM" },
        { "RPC_NO_DELETE", "rpc GetJob(GetJobRequest)", "rpc ReadJob(GetJobRequest)", "GetJob" },
    };

    [Theory]
    [MemberData(nameof(BreakingChanges))]
    public void Buf_breaking_reports_an_incompatible_change_against_the_baseline(string rule, string text, string change, string named)
    {
        var workspace = Buf.EditedWorkspace(contract => contract.Replace(text, change, StringComparison.Ordinal));
        try
        {
            var result = Buf.Run(["breaking", "--against", RepositoryPaths.Combine(Buf.Baseline), "--error-format", "json"], workspace);

            Assert.True(result.ExitCode == 100, result.Describe());
            Assert.Contains(result.StandardOutput.Split('\n'), line => line.Contains($"\"type\":\"{rule}\"", StringComparison.Ordinal)
                && line.Contains(named, StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(workspace, recursive: true);
        }
    }
}
