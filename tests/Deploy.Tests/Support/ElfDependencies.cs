using ELFSharp.ELF;
using ELFSharp.ELF.Sections;

namespace SaliencySlider.Deploy.Tests.Support;

/// <summary>The shared libraries an ELF file links (its DT_NEEDED entries).</summary>
internal static class ElfDependencies
{
    public static IReadOnlyList<string> Needed(string path)
    {
        using var elf = ELFReader.Load(path);
        var strings = (IStringTable)elf.GetSection(".dynstr");
        var dynamic = elf.GetSections<IDynamicSection>().Single();
        return dynamic.Entries
            .Where(entry => entry.Tag == DynamicTag.Needed)
            .Select(entry => strings[(long)((DynamicEntry<ulong>)entry).Value])
            .ToList();
    }
}
