using System.Text;

namespace SaliencySlider.Shared.Redis;

/// <summary>The Redis Cluster slot of a hash tag: CRC16 (XMODEM) of its bytes modulo 16,384, as Redis computes it.</summary>
public static class ClusterSlot
{
    public const int Count = 16384;

    public static int Of(string hashTag)
    {
        ushort crc = 0;
        foreach (var b in Encoding.UTF8.GetBytes(hashTag))
        {
            crc ^= (ushort)(b << 8);
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x8000) != 0 ? (ushort)((crc << 1) ^ 0x1021) : (ushort)(crc << 1);
            }
        }

        return crc % Count;
    }
}
