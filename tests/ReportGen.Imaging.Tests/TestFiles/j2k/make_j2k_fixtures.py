#!/usr/bin/python3
"""Makes the JPEG 2000 test fixtures and their expected samples, all from tools nobody here wrote.

Run from anywhere with Debian's /usr/bin/python3 (numpy, pydicom 2.3), opj_compress/opj_decompress (OpenJPEG 2.5)
and gdcmconv (GDCM) installed:

    /usr/bin/python3 tests/ReportGen.Imaging.Tests/TestFiles/j2k/make_j2k_fixtures.py

Writes, next to this script:
  * <name>.j2k / .jp2        raw codestreams and JP2 files made by opj_compress from synthetic sources;
  * codestreams.json         for each: the options used and the EXPECTED samples as opj_decompress decodes them
                             (sha256 of the samples as little-endian int32, interleaved by pixel, subsampled components
                             repeated onto the full grid; min, max, mean); lossy files also keep <name>.expected.s16
                             (the same samples, 16-bit little-endian) so a test can measure the largest difference;
  * <name>.dcm               DICOM files compressed by gdcmconv --j2k (lossless and --lossy) from uncompressed ones
                             written with pydicom;
  * j2k_dicom.fixtures.json  the shared DICOM fixture table (format in /work/notes/dicom-status.txt): expected stored
                             samples from opj_decompress on each frame's codestream, cross-checked against the source
                             pixels for the lossless files.
Kakadu is not available here, so no fixture is Kakadu-made; OpenJPEG cannot write PPM/PPT markers or HTJ2K.
"""
import hashlib
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import generate_pixel_data_frame
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

HERE = os.path.dirname(os.path.abspath(__file__))
REL = "tests/ReportGen.Imaging.Tests/TestFiles/j2k"
TMP = tempfile.mkdtemp(prefix="j2kfix")


def run(*args):
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{r.stdout}\n{r.stderr}")
    return r.stdout


def radiograph(w, h, bits, seed, signed=False):
    """A smooth body-like gradient, edges and noise: compresses like an image, not like noise or a flat field."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    top = (1 << bits) - 1
    v = 0.5 + 0.35 * np.sin(x / (w / 3.1)) * np.cos(y / (h / 2.3))
    v += 0.2 * ((x - w * 0.6) ** 2 + (y - h * 0.4) ** 2 < (min(w, h) * 0.25) ** 2)
    v = v * top * 0.8 + rng.normal(0, top * 0.01, (h, w))
    v = np.clip(np.round(v), 0, top).astype(np.int64)
    if signed:
        v -= 1 << (bits - 1)
    return v


def write_pnm(path, planes, bits):
    h, w = planes[0].shape
    magic = b"P5" if len(planes) == 1 else b"P6"
    data = np.stack(planes, axis=-1).astype(">u2" if bits > 8 else "u1")
    with open(path, "wb") as f:
        f.write(magic + f"\n{w} {h}\n{(1 << bits) - 1}\n".encode() + data.tobytes())


def write_raw(path, planes, bits, signed=False):
    with open(path, "wb") as f:
        for p in planes:
            f.write(p.astype((">i2" if signed else ">u2") if bits > 8 else "u1").tobytes())


def opj_reference(path, comps):
    """opj_decompress → .rawl → samples interleaved by pixel on the full grid. comps: [(w, h, bits, signed, dx, dy)]."""
    out = os.path.join(TMP, "ref.rawl")
    run("opj_decompress", "-i", path, "-o", out)
    raw = open(out, "rb").read()
    planes, at = [], 0
    for (w, h, bits, signed, _, _) in comps:
        size = 1 if bits <= 8 else 2
        dt = ("<i2" if size == 2 else "i1") if signed else ("<u2" if size == 2 else "u1")
        n = w * h * size
        planes.append(np.frombuffer(raw[at:at + n], dt).reshape(h, w).astype(np.int64))
        at += n
    W, H = comps[0][0] * comps[0][4], comps[0][1] * comps[0][5]
    full = []
    for p, (w, h, _, _, dx, dy) in zip(planes, comps):
        full.append(np.repeat(np.repeat(p, dy, axis=0), dx, axis=1)[:H, :W])
    return np.stack(full, axis=-1).reshape(-1)


def stats(samples):
    return {
        "sha256": hashlib.sha256(samples.astype("<i4").tobytes()).hexdigest(),
        "min": int(samples.min()),
        "max": int(samples.max()),
        "mean": round(float(samples.mean()), 6),
    }


CODESTREAMS = []


def codestream(name, source, comps, opts, lossless, note, ext="j2k"):
    out = os.path.join(HERE, f"{name}.{ext}")
    run("opj_compress", "-i", source, "-o", out, *opts)
    ref = opj_reference(out, comps)
    entry = {"file": f"{name}.{ext}", "options": " ".join(opts), "lossless": lossless,
             "width": comps[0][0] * comps[0][4], "height": comps[0][1] * comps[0][5], "components": len(comps),
             "precision": comps[0][2], "signed": comps[0][3], "expected": stats(ref), "note": note}
    if not lossless:
        # 16-bit little-endian, two's complement when the entry is signed, else unsigned
        ref.astype("<i2" if comps[0][3] else "<u2").tofile(os.path.join(HERE, f"{name}.expected.s16"))
        entry["expectedSamples"] = f"{name}.expected.s16"
    CODESTREAMS.append(entry)
    return ref


def main():
    for f in os.listdir(HERE):
        if f.endswith((".j2k", ".jp2", ".s16", ".dcm")) or f.endswith(".json"):
            os.remove(os.path.join(HERE, f))
    W, H = 61, 47  # odd sizes: partial code-blocks, odd band splits
    g8 = radiograph(W, H, 8, 1)
    g12 = radiograph(W, H, 12, 2)
    g16 = radiograph(W, H, 16, 3)
    s16 = radiograph(W, H, 16, 4, signed=True)
    rgb = [radiograph(W, H, 8, 10 + i) for i in range(3)]
    src = {k: os.path.join(TMP, k) for k in ["g8.pgm", "g12.pgm", "g16.pgm", "s16.raw", "rgb.ppm", "sub.raw"]}
    write_pnm(src["g8.pgm"], [g8], 8)
    write_pnm(src["g12.pgm"], [g12], 12)
    write_pnm(src["g16.pgm"], [g16], 16)
    write_raw(src["s16.raw"], [s16], 16, signed=True)  # opj_compress reads signed PGX as 15-bit
    write_pnm(src["rgb.ppm"], rgb, 8)
    G = lambda bits, signed=False: [(W, H, bits, signed, 1, 1)]
    RGB = [(W, H, 8, False, 1, 1)] * 3

    def lossless_check(ref, planes):
        assert (ref == np.stack(planes, axis=-1).reshape(-1)).all(), "lossless reference differs from the source"

    lossless_check(codestream("grey8_53", src["g8.pgm"], G(8), [], True, "8-bit grey, 5/3, defaults (6 resolutions, 64x64 blocks)"), [g8])
    lossless_check(codestream("grey12_53_tiles", src["g12.pgm"], G(12), ["-t", "24,20", "-n", "3"], True, "12-bit, 3x3 tiles of 24x20, 3 resolutions"), [g12])
    lossless_check(codestream("grey16_53_layers_rpcl", src["g16.pgm"], G(16), ["-n", "5", "-r", "40,10,1", "-p", "RPCL"], True, "16-bit, 3 layers (last lossless), RPCL"), [g16])
    lossless_check(codestream("signed16_53", src["s16.raw"], G(16, True), ["-F", f"{W},{H},1,16,s@1x1", "-n", "4"], True, "signed 16-bit"), [s16])
    lossless_check(codestream("rgb8_53_rct_pcrl_precincts", src["rgb.ppm"], RGB, ["-p", "PCRL", "-c", "[32,32],[16,16],[8,8]", "-b", "8,8", "-r", "20,5,1"], True, "RGB, RCT, PCRL, custom precincts, 8x8 blocks, 3 layers"), rgb)
    for order in ["LRCP", "RLCP", "RPCL", "PCRL", "CPRL"]:
        lossless_check(codestream(f"rgb8_{order.lower()}", src["rgb.ppm"], RGB, ["-p", order, "-r", "30,8,1", "-c", "[16,16],[16,16],[8,8]", "-b", "4,4", "-n", "3", "-t", "40,30"], True, f"{order}: layers, precincts, 4x4 blocks, tiles"), rgb)
    for m in [1, 2, 4, 8, 16, 32, 63, 9, 38]:
        lossless_check(codestream(f"grey12_cblk_m{m}", src["g12.pgm"], G(12), ["-M", str(m), "-b", "16,16", "-r", "8,3,1"], True, f"code-block style -M {m}, layers"), [g12])
    lossless_check(codestream("grey8_sop_eph_tp", src["g8.pgm"], G(8), ["-SOP", "-EPH", "-TP", "R", "-t", "32,32", "-PLT", "-TLM"], True, "SOP/EPH markers, tile-parts per resolution, PLT and TLM"), [g8])
    lossless_check(codestream("grey16_roi", src["g16.pgm"], G(16), ["-ROI", "c=0,U=4", "-n", "3"], True, "ROI maxshift 4 (RGN)"), [g16])
    lossless_check(codestream("grey12_offsets", src["g12.pgm"], G(12), ["-d", "5,3", "-T", "2,1", "-t", "20,16", "-n", "3"], True, "image offset 5,3 and tile offset 2,1 (odd band origins)"), [g12])
    lossless_check(codestream("grey8_poc", src["g8.pgm"], G(8), ["-n", "3", "-r", "10,1", "-POC", "T0=0,0,2,2,1,CPRL/T0=0,0,2,3,1,LRCP"], True, "progression order change (POC)"), [g8])
    lossless_check(codestream("grey16_jp2", src["g16.pgm"], G(16), ["-n", "4"], True, "JP2 file", ext="jp2"), [g16])
    codestream("grey16_97", src["g16.pgm"], G(16), ["-I", "-q", "50"], False, "16-bit, 9/7 irreversible, PSNR 50")
    codestream("grey8_97_rate", src["g8.pgm"], G(8), ["-I", "-r", "8", "-n", "4"], False, "8-bit, 9/7 at 8:1")
    codestream("rgb8_97_ict", src["rgb.ppm"], RGB, ["-I", "-r", "10,4", "-t", "32,32"], False, "RGB, ICT + 9/7, 2 layers, 4 tiles")
    codestream("signed16_97", src["s16.raw"], G(16, True), ["-F", f"{W},{H},1,16,s@1x1", "-I", "-q", "45", "-M", "63"], False, "signed 16-bit, 9/7, all code-block styles")
    codestream("rgb8_97_offsets", src["rgb.ppm"], RGB, ["-I", "-r", "6", "-d", "3,1", "-n", "3"], False, "9/7 with an odd image offset")
    # Component subsampling (a 4:2:0-like layout; no colour transform then). opj_decompress 2.5.0 upsamples such
    # components itself on output (and its raw reader pads odd sizes), so this one entry's expected samples are the
    # lossless source planes repeated 2x2, and the size is even.
    sw, sh = 30, 22
    sub = [rgb[0][:2 * sh, :2 * sw], rgb[1][:2 * sh:2, :2 * sw:2], rgb[2][:2 * sh:2, :2 * sw:2]]
    write_raw(src["sub.raw"], sub, 8)
    out = os.path.join(HERE, "sub420_53.j2k")
    run("opj_compress", "-i", src["sub.raw"], "-o", out, "-F", f"{2 * sw},{2 * sh},3,8,u@1x1:2x2:2x2", "-n", "3")
    full = np.stack([sub[0]] + [np.repeat(np.repeat(p, 2, 0), 2, 1) for p in sub[1:]], axis=-1).reshape(-1)
    CODESTREAMS.append({"file": "sub420_53.j2k", "options": f"-F {2 * sw},{2 * sh},3,8,u@1x1:2x2:2x2 -n 3", "lossless": True,
                        "width": 2 * sw, "height": 2 * sh, "components": 3, "precision": 8, "signed": False,
                        "expected": stats(full), "note": "components 2 and 3 subsampled 2x2 (expected: the source planes, repeated)"})
    with open(os.path.join(HERE, "codestreams.json"), "w") as f:
        json.dump({"generator": f"{REL}/make_j2k_fixtures.py", "reference": opj_version(), "files": CODESTREAMS}, f, indent=1)
    make_dicoms(g16, s16, rgb)


def opj_version():
    v = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "libopenjp2-7"], capture_output=True, text=True).stdout
    return f"opj_decompress (OpenJPEG {v or 'unknown version'}) + numpy"


def native_dicom(path, frames, bits_stored, signed, photometric="MONOCHROME2"):
    n, h, w = frames.shape[:3]
    spp = 3 if frames.ndim == 4 else 1
    meta = FileMetaDataset()
    # Multi-frame needs a multi-frame SOP class (GDCM checks): Multi-frame Grayscale Word Secondary Capture.
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7.3" if n > 1 else "1.2.840.10008.5.1.4.1.1.7"
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
    ds.Modality = "OT"
    ds.PatientName = "Synthetic^Fixture"
    ds.Rows, ds.Columns, ds.SamplesPerPixel = h, w, spp
    ds.PhotometricInterpretation = photometric
    if spp == 3:
        ds.PlanarConfiguration = 0
    if n > 1:
        ds.NumberOfFrames = n
    alloc = 8 if bits_stored <= 8 else 16
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = alloc, bits_stored, bits_stored - 1
    ds.PixelRepresentation = 1 if signed else 0
    dt = ("<i2" if signed else "<u2") if alloc == 16 else "u1"
    ds.PixelData = frames.astype(dt).tobytes()
    ds.save_as(path, write_like_original=False)


def make_dicoms(g16, s16, rgb):
    entries = []

    def add(name, frames, bits, signed, gdcm_opts, lossless, tolerance, note, photometric="MONOCHROME2"):
        native = os.path.join(TMP, name + ".native.dcm")
        native_dicom(native, frames, bits, signed, photometric)
        out = os.path.join(HERE, name + ".dcm")
        run("gdcmconv", "--j2k", *gdcm_opts, native, out)
        ds = pydicom.dcmread(out)
        n = int(getattr(ds, "NumberOfFrames", 1) or 1)
        spp = int(ds.SamplesPerPixel)
        refs = []
        for i, frame in enumerate(generate_pixel_data_frame(ds.PixelData, n)):
            cs = os.path.join(TMP, f"f{i}.j2k")
            open(cs, "wb").write(frame)
            refs.append(opj_reference(cs, [(int(ds.Columns), int(ds.Rows), bits, signed, 1, 1)] * spp))
        ref = np.concatenate(refs)
        if lossless:
            assert (ref == frames.reshape(-1)).all(), f"{name}: opj_decompress differs from the source pixels"
        entries.append({"file": name + ".dcm", "transferSyntax": str(ds.file_meta.TransferSyntaxUID), "expect": "decode",
                        "lossless": lossless, "tolerance": tolerance, "frames": n, "rows": int(ds.Rows),
                        "columns": int(ds.Columns), "samplesPerPixel": spp, "stored": stats(ref),
                        "photometric": str(ds.PhotometricInterpretation), "note": note})

    add("j2k_ct16_signed_3frames", np.stack([s16, np.flipud(s16), np.fliplr(s16)]) // 16, 12, True, [], True, 0,
        "3-frame signed 12-bit CT-like, gdcmconv --j2k (lossless)")
    add("j2k_dx16_lossless", g16[None], 16, False, [], True, 0, "16-bit radiograph, gdcmconv --j2k")
    add("j2k_dx16_lossy", g16[None], 16, False, ["--lossy", "-q", "45"], False, 1,
        "16-bit radiograph, gdcmconv --j2k --lossy -q 45 (9/7): stats within 1 of opj_decompress")
    add("j2k_rgb8_lossless", np.stack(rgb, axis=-1)[None], 8, False, [], True, 0, "RGB 8-bit, gdcmconv --j2k (RCT)", "RGB")
    # Error rows: the codec must refuse what it does not decode with the right code.
    with open(os.path.join(HERE, "j2k_dicom.fixtures.json"), "w") as f:
        json.dump({"generator": f"{REL}/make_j2k_fixtures.py", "reference": opj_version() + " / pydicom " + pydicom.__version__,
                   "files": entries}, f, indent=1)


if __name__ == "__main__":
    main()
