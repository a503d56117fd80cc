using SaliencySlider.Contracts.V1;
using SaliencySlider.Engine.Explaining;
using SaliencySlider.Shared.Jobs;

namespace SaliencySlider.Service.Tests;

/// <summary>
/// Every value of every contract enum the engine reads, and of the engine kinds it maps to, is mapped both ways: a
/// value added to the proto (or to the engine) fails here until ContractEnums maps it.
/// </summary>
public sealed class ContractEnumsTests
{
    [Fact]
    public void Every_cam_method_maps_to_an_engine_kind_and_back()
        => AssertBijection(Enum.GetValues<CamMethod>(), Enum.GetValues<CamMethodKind>(), ContractEnums.ToEngine, ContractEnums.ToContract, ExplainLimits.DefaultMethod);

    [Fact]
    public void Every_baseline_maps_to_an_engine_kind_and_back()
        => AssertBijection(Enum.GetValues<Baseline>(), Enum.GetValues<BaselineKind>(), ContractEnums.ToEngine, ContractEnums.ToContract, ExplainLimits.DefaultBaseline);

    [Fact]
    public void Every_image_format_maps_to_an_engine_format_and_back()
        => AssertBijection(Enum.GetValues<ImageFormat>(), Enum.GetValues<FrameFormat>(), ContractEnums.ToEngine, ContractEnums.ToContract, ExplainLimits.DefaultFormat);

    [Fact]
    public void Unknown_values_throw_instead_of_falling_back_to_a_default()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ContractEnums.ToEngine((CamMethod)42));
        Assert.Throws<ArgumentOutOfRangeException>(() => ContractEnums.ToEngine((Baseline)42));
        Assert.Throws<ArgumentOutOfRangeException>(() => ContractEnums.ToEngine((ImageFormat)42));
        Assert.Throws<ArgumentOutOfRangeException>(() => ContractEnums.ToContract((CamMethodKind)42));
        Assert.Throws<ArgumentOutOfRangeException>(() => ContractEnums.ToContract((BaselineKind)42));
        Assert.Throws<ArgumentOutOfRangeException>(() => ContractEnums.ToContract((FrameFormat)42));
    }

    [Fact]
    public void The_contract_names_each_method_as_the_engine_does()
    {
        // CAM_METHOD_GRAD_CAM_PLUS_PLUS ↔ GradCamPlusPlus, CAM_METHOD_HIRES_CAM ↔ HiResCam: the names agree but for case and underscores.
        foreach (var method in Enum.GetValues<CamMethod>().Where(m => m != CamMethod.Unspecified))
        {
            var contractName = ExplainOptions.Descriptor.FindFieldByName("method").EnumType.FindValueByNumber((int)method).Name["CAM_METHOD_".Length..].Replace("_", "");
            Assert.Equal(contractName, ContractEnums.ToEngine(method).ToString(), ignoreCase: true);
        }
    }

    /// <summary>UNSPECIFIED is the engine's default; every other contract value maps to its own kind, and every kind back to it.</summary>
    private static void AssertBijection<TContract, TKind>(
        TContract[] contractValues, TKind[] kinds, Func<TContract, TKind> toEngine, Func<TKind, TContract> toContract, TKind defaultKind)
        where TContract : struct, Enum
        where TKind : struct, Enum
    {
        var unspecified = contractValues.Single(v => Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture) == 0);
        Assert.Equal(defaultKind, toEngine(unspecified));
        var specified = contractValues.Where(v => !v.Equals(unspecified)).ToArray();
        Assert.Equal(specified.Length, kinds.Length);
        foreach (var value in specified)
        {
            Assert.Equal(value, toContract(toEngine(value)));
        }
        foreach (var kind in kinds)
        {
            Assert.Equal(kind, toEngine(toContract(kind)));
        }
    }
}
