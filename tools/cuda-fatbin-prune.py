#!/usr/bin/env python3
"""Keeps only the CUDA kernels one GPU architecture can use in a library's fatbinaries (libggml-cuda.so).

Why: the npm CUDA build of llama.cpp carries every kernel seven times (PTX for compute_75/80/90, SASS for
sm_86/89/120/121), each copy already zstd-compressed by nvcc, so no archiver shrinks the 128 MB .nv_fatbin
section. A GPU uses one of them. This rewrites each fatbinary in place to hold only the entries the driver
could pick for the target (SASS of the same major version and a minor version not above the target's, and
the newest PTX not above it) and zero-fills the rest, so the file keeps its size and layout (every fatbinary
starts where it did; the registration records that point at them stay valid) and the zeros pack to nothing.

    cuda-fatbin-prune.py LIB SM [OUT]     SM: compute capability without the dot (90 = H100/H200, 80 = A100)
    cuda-fatbin-prune.py LIB --list       what each architecture holds

Exit 2 with one line when the library has no fatbinary or some kernel has no entry the target can use.
"""
import struct
import sys

FATBIN_MAGIC = 0xBA55ED50
PTX, SASS = 1, 2


def fail(message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


def fatbin_section(data):
    """(offset, size) of the .nv_fatbin section of a 64-bit little-endian ELF."""
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        fail("not a 64-bit little-endian ELF file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    def header(i):
        return struct.unpack_from("<IIQQQQ", data, shoff + i * shentsize)  # name, type, flags, addr, offset, size
    names_offset = header(shstrndx)[4]
    for i in range(shnum):
        name, _, _, _, offset, size = header(i)
        end = data.index(b"\0", names_offset + name)
        if data[names_offset + name:end] == b".nv_fatbin":
            return offset, size
    fail("no .nv_fatbin section: not a CUDA library")


def fatbins(data, offset, size):
    """Yields (start, header_size, entries) per fatbinary; entries are (kind, sm, start, length)."""
    pos, end = offset, offset + size
    while pos + 16 <= end:
        magic, _, header_size, body = struct.unpack_from("<IHHQ", data, pos)
        if magic != FATBIN_MAGIC:
            pos += 8  # fatbinaries are 8-byte aligned, padding between them
            continue
        entries, p, body_end = [], pos + header_size, pos + header_size + body
        while p < body_end:
            kind, _, entry_header, payload = struct.unpack_from("<HHIQ", data, p)
            sm, = struct.unpack_from("<I", data, p + 28)
            entries.append((kind, sm, p, entry_header + payload))
            p += entry_header + payload
        yield pos, header_size, entries
        pos = body_end


def usable(entries, target):
    """The entries the driver could choose on compute capability `target`."""
    sass = [e for e in entries if e[0] == SASS and e[1] // 10 == target // 10 and e[1] <= target]
    ptx = [e for e in entries if e[0] == PTX and e[1] <= target]
    chosen = sass + ([max(ptx, key=lambda e: e[1])] if ptx else [])
    return [e for e in entries if e in chosen]  # in the order nvcc wrote them


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    data = bytearray(open(argv[1], "rb").read())
    offset, size = fatbin_section(data)
    if argv[2] == "--list":
        totals = {}
        for _, _, entries in fatbins(data, offset, size):
            for kind, sm, _, length in entries:
                key = ("ptx compute_" if kind == PTX else "sass sm_") + str(sm)
                totals[key] = totals.get(key, 0) + length
        for key, length in sorted(totals.items()):
            print(f"{key:18} {length:>11} bytes")
        return 0
    if not argv[2].isdigit():
        fail(f"SM must be a compute capability without the dot (e.g. 90), not '{argv[2]}'")
    target, kept, count = int(argv[2]), 0, 0
    for start, header_size, entries in fatbins(data, offset, size):
        keep = usable(entries, target)
        if not keep:
            fail(f"a kernel image at offset {start} has nothing for sm_{target} (it holds {sorted({e[1] for e in entries})})")
        body = b"".join(bytes(data[p:p + length]) for _, _, p, length in keep)
        old_end = start + header_size + sum(e[3] for e in entries)
        struct.pack_into("<Q", data, start + 8, len(body))
        data[start + header_size:old_end] = body + bytes(old_end - start - header_size - len(body))
        kept, count = kept + len(body), count + 1
    open(argv[3] if len(argv) > 3 else argv[1], "wb").write(data)
    print(f"sm_{target}: kept {kept} of {size} bytes of kernels in {count} fatbinaries")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
