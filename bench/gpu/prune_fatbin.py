"""
Shrinks ONNX Runtime's CUDA provider for one GPU generation, so it fits the device tool's 64 MiB a call (bench/gpu/pack.sh):
  python3 prune_fatbin.py SRC DST [SM]
Its .nv_fatbin section holds every kernel as machine code for several GPUs (sm_75 ... sm_120). In each fatbin that
has code for SM (default 90: the H100 and H200), the others' code is overwritten with zeros, so it compresses to
nothing; their headers stay, and the driver, which loads only the entry for the GPU it runs on, never reads them.
Fatbins without code for SM are left whole. The layout read here is the one the CUDA toolkit writes (fatbinary.h):
a 16-byte header (magic 0xBA55ED50, version, header size, size of the entries), then entries, each a header
(kind, version, header size, payload size, ..., arch at byte 28) and its payload.
"""
import struct
import sys

MAGIC = 0xBA55ED50
ELF = 2


def fatbin_section(data):
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQ", data, shoff + i * shentsize) for i in range(shnum)]
    strings = sections[shstrndx][4]
    for name, _, _, _, offset, size in sections:
        if bytes(data[strings + name:data.index(b"\0", strings + name)]) == b".nv_fatbin":
            return offset, offset + size
    raise SystemExit("no .nv_fatbin section")


def prune(data, sm):
    position, end = fatbin_section(data)
    zeroed = whole = 0
    while position < end:
        magic, _, header_size, entries_size = struct.unpack_from("<IHHQ", data, position)
        if magic != MAGIC:  # padding between fatbins
            position += 8
            continue
        entries, entry, stop = [], position + header_size, position + header_size + entries_size
        while entry < stop:
            kind, _, entry_header_size, payload_size = struct.unpack_from("<HHIQ", data, entry)
            arch, = struct.unpack_from("<I", data, entry + 28)
            entries.append((kind, arch, entry + entry_header_size, payload_size))
            entry += entry_header_size + payload_size
        if any(kind == ELF and arch == sm for kind, arch, _, _ in entries):
            for _, arch, start, size in entries:
                if arch != sm:
                    data[start:start + size] = bytes(size)
                    zeroed += size
        else:
            whole += 1
        position = stop
    return zeroed, whole


if __name__ == "__main__":
    source, destination = sys.argv[1], sys.argv[2]
    data = bytearray(open(source, "rb").read())
    sm = int(sys.argv[3]) if len(sys.argv) > 3 else 90
    zeroed, whole = prune(data, sm)
    open(destination, "wb").write(data)
    print(f"zeroed {zeroed / 2**20:.0f} MiB of other GPUs' code; {whole} fatbins without sm_{sm} code left whole")
