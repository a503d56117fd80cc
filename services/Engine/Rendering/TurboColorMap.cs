namespace SaliencySlider.Engine.Rendering;

/// <summary>Google's Turbo colour map (perceptually ordered blue → green → red), via its published polynomial fit.</summary>
public static class TurboColorMap
{
    public static (byte R, byte G, byte B) Map(float value)
    {
        double x = Math.Clamp(value, 0f, 1f);
        double x2 = x * x, x3 = x2 * x, x4 = x2 * x2, x5 = x4 * x;
        var r = 0.13572138 + (4.61539260 * x) - (42.66032258 * x2) + (132.13108234 * x3) - (152.94239396 * x4) + (59.28637943 * x5);
        var g = 0.09140261 + (2.19418839 * x) + (4.84296658 * x2) - (14.18503333 * x3) + (4.27729857 * x4) + (2.82956604 * x5);
        var b = 0.10667330 + (12.64194608 * x) - (60.58204836 * x2) + (110.36276771 * x3) - (89.90310912 * x4) + (27.34824973 * x5);
        return (ToByte(r), ToByte(g), ToByte(b));
    }

    private static byte ToByte(double channel) => (byte)Math.Round(Math.Clamp(channel, 0, 1) * 255);
}
