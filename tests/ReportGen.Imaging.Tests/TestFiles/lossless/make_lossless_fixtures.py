"""Generator behind make_lossless_fixtures.sh (run that)."""
import hashlib, json, os, shutil, subprocess, tempfile
import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

TMP = tempfile.mkdtemp()


def source(name, rows, cols, bits_stored, signed, spp=1, frames=1, seed=0, bits_allocated=None):
    """A synthetic uncompressed image: a diagonal gradient over the whole range plus noise (and flat patches)."""
    rng = np.random.default_rng(seed)
    ba = bits_allocated or (8 if bits_stored <= 8 else 16)
    lo, hi = (-(1 << (bits_stored - 1)), (1 << (bits_stored - 1)) - 1) if signed else (0, (1 << bits_stored) - 1)
    y, x = np.mgrid[0:rows, 0:cols]
    shape = (frames, rows, cols, spp)
    base = (x + y)[None, :, :, None] / max(rows + cols - 2, 1)
    base = base + np.arange(spp)[None, None, None, :] * 0.2 + np.arange(frames)[:, None, None, None] * 0.1
    img = lo + (base % 1.0) * (hi - lo) + rng.normal(0, (hi - lo) * 0.01, shape)
    img[:, rows // 4: rows // 2, cols // 4: cols // 2, :] = lo + (hi - lo) // 3  # a flat patch (JPEG-LS run mode)
    img = np.clip(np.rint(img), lo, hi).astype(np.int64)
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = FileDataset(None, {}, file_meta=meta, preamble=b"\0" * 128)
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(), generate_uid()
    ds.Modality = "OT"
    ds.Rows, ds.Columns, ds.SamplesPerPixel = rows, cols, spp
    ds.PhotometricInterpretation = "RGB" if spp == 3 else "MONOCHROME2"
    if spp == 3:
        ds.PlanarConfiguration = 0
    if frames > 1:
        ds.NumberOfFrames = frames
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = ba, bits_stored, bits_stored - 1
    ds.PixelRepresentation = 1 if signed else 0
    dtype = {8: "u1", 16: "<u2", 32: "<u4"}[ba]
    raw = (img & ((1 << bits_stored) - 1)).astype(dtype)
    ds.PixelData = raw.tobytes()
    path = os.path.join(TMP, name + "_src.dcm")
    ds.save_as(path, write_like_original=False)
    return path, img


def stored(path):
    """Stored samples as the fixture table wants them: int32, frame,row,column,component, sign applied."""
    ds = pydicom.dcmread(path)
    arr = ds.pixel_array.astype(np.int64)
    frames = int(getattr(ds, "NumberOfFrames", 1) or 1)
    return arr.reshape(frames, ds.Rows, ds.Columns, ds.SamplesPerPixel)


def record(arr):
    a = arr.astype("<i4")
    return {"sha256": hashlib.sha256(a.tobytes()).hexdigest(), "min": int(a.min()), "max": int(a.max()), "mean": round(float(a.mean()), 6)}


def run(*cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


files = []


def add(name, src, arr, cmd, ts, note, lossless=True, decompress=None, tolerance=0):
    out = name + ".dcm"
    run(*[c.replace("IN", src).replace("OUT", out) for c in cmd])
    got_ts = str(pydicom.dcmread(out, stop_before_pixels=True).file_meta.TransferSyntaxUID)
    assert got_ts == ts, (name, got_ts, ts)
    if decompress:  # the reference tool's own decode of the compressed file
        ref = os.path.join(TMP, name + "_ref.dcm")
        run(decompress, out, ref)
        ref_arr = stored(ref)
        if lossless:
            assert np.array_equal(ref_arr, arr), name + ": reference decoder disagrees with the source"
        arr = ref_arr
    frames, rows, cols, spp = arr.shape
    # "lossless" in the table means "must match bit for bit": our decoders reproduce dcmtk's lossy decodes exactly too.
    files.append({
        "file": out, "transferSyntax": ts, "expect": "decode", "lossless": True, "tolerance": tolerance,
        "frames": frames, "rows": rows, "columns": cols, "samplesPerPixel": spp, "stored": record(arr), "note": note,
    })
    return arr


ct, ct_arr = source("ct16s", 64, 64, 16, True, seed=1)
cr, cr_arr = source("cr16", 64, 64, 16, False, seed=2)
mr12, mr12_arr = source("mr12", 48, 40, 12, False, frames=2, seed=3)
rgb, rgb_arr = source("rgb8", 40, 48, 8, False, spp=3, seed=4)
g8, g8_arr = source("grey8", 33, 37, 8, False, seed=5)
odd, odd_arr = source("odd10", 17, 23, 10, True, seed=6)

L57, L70, L51 = "1.2.840.10008.1.2.4.57", "1.2.840.10008.1.2.4.70", "1.2.840.10008.1.2.4.51"
LS80, LS81, RLE = "1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81", "1.2.840.10008.1.2.5"

add("ct16s_jpll_sv1", ct, ct_arr, ["dcmcjpeg", "+e1", "IN", "OUT"], L70, "lossless JPEG SV1, 16-bit signed (dcmtk)", decompress="dcmdjpeg")
for sv in range(1, 8):
    add(f"cr16_jpll_sv{sv}", cr, cr_arr, ["dcmcjpeg", "+el", "+sv", str(sv), "IN", "OUT"], L57, f"lossless JPEG predictor {sv}, 16-bit (dcmtk)", decompress="dcmdjpeg")
pt_arr = (cr_arr >> 2) << 2
add("cr16_jpll_pt2", cr, pt_arr, ["dcmcjpeg", "+el", "+sv", "1", "+pt", "2", "+un", "IN", "OUT"], L57,
    "lossless JPEG with point transform 2 (low two bits dropped by the encoder, so compared to dcmdjpeg)", lossless=False, decompress="dcmdjpeg")
add("mr12_jpll_2frames", mr12, mr12_arr, ["dcmcjpeg", "+e1", "IN", "OUT"], L70, "lossless JPEG SV1, 12-bit, two frames (dcmtk)", decompress="dcmdjpeg")
add("rgb8_jpll", rgb, rgb_arr, ["dcmcjpeg", "+e1", "IN", "OUT"], L70, "lossless JPEG SV1, 8-bit RGB (dcmtk)", decompress="dcmdjpeg")
add("grey8_jpll_gdcm", g8, g8_arr, ["gdcmconv", "-J", "IN", "OUT"], L70, "lossless JPEG 8-bit odd size (GDCM)")
add("odd10_jpll_gdcm", odd, odd_arr, ["gdcmconv", "-J", "IN", "OUT"], L70, "lossless JPEG 10-bit signed 23x17 (GDCM)")
add("mr12_jpext_2frames", mr12, None, ["dcmcjpeg", "+ee", "+un", "IN", "OUT"], L51,
    "12-bit extended JPEG (SOF1), two frames; expected = dcmdjpeg (IJG 12-bit islow)", lossless=False, decompress="dcmdjpeg")
add("ct16s_jls", ct, ct_arr, ["dcmcjpls", "+el", "IN", "OUT"], LS80, "JPEG-LS lossless 16-bit signed (dcmtk/CharLS)", decompress="dcmdjpls")
add("mr12_jls_2frames", mr12, mr12_arr, ["dcmcjpls", "+el", "IN", "OUT"], LS80, "JPEG-LS lossless 12-bit, two frames", decompress="dcmdjpls")
add("grey8_jls", g8, g8_arr, ["dcmcjpls", "+el", "IN", "OUT"], LS80, "JPEG-LS lossless 8-bit odd size", decompress="dcmdjpls")
add("odd10_jls_gdcm", odd, odd_arr, ["gdcmconv", "--jpegls", "IN", "OUT"], LS80, "JPEG-LS lossless 10-bit signed (GDCM/CharLS)")
for il, flag in (("none", "+in"), ("line", "+il"), ("sample", "+is")):
    add(f"rgb8_jls_{il}", rgb, rgb_arr, ["dcmcjpls", "+el", flag, "IN", "OUT"], LS80, f"JPEG-LS lossless RGB, interleave {il}", decompress="dcmdjpls")
for near in (1, 3):
    a = add(f"cr16_jls_near{near}", cr, None, ["dcmcjpls", "+en", "+md", str(near), "+un", "IN", "OUT"], LS81,
            f"JPEG-LS near-lossless NEAR={near}, 16-bit; expected = dcmdjpls", lossless=False, decompress="dcmdjpls")
    assert np.abs(a - cr_arr).max() <= near
a = add("rgb8_jls_near2_sample", rgb, None, ["dcmcjpls", "+en", "+md", "2", "+is", "+un", "IN", "OUT"], LS81,
        "JPEG-LS near-lossless NEAR=2, RGB sample-interleaved", lossless=False, decompress="dcmdjpls")
assert np.abs(a - rgb_arr).max() <= 2
add("grey8_jls_thresholds", g8, g8_arr, ["dcmcjpls", "+el", "+t1", "5", "+t2", "11", "+t3", "30", "+rs", "32", "IN", "OUT"], LS80,
    "JPEG-LS lossless with custom thresholds and RESET (LSE marker)", decompress="dcmdjpls")
add("ct16s_rle", ct, ct_arr, ["dcmcrle", "IN", "OUT"], RLE, "RLE 16-bit signed (dcmtk)", decompress="dcmdrle")
add("mr12_rle_2frames", mr12, mr12_arr, ["dcmcrle", "IN", "OUT"], RLE, "RLE 16-bit two frames (dcmtk)", decompress="dcmdrle")
add("rgb8_rle", rgb, rgb_arr, ["dcmcrle", "IN", "OUT"], RLE, "RLE 8-bit RGB (dcmtk)", decompress="dcmdrle")
add("cr16_rle_gdcm", cr, cr_arr, ["gdcmconv", "--rle", "IN", "OUT"], RLE, "RLE 16-bit (GDCM)")

# pydicom's own test files (MIT) that exercise these syntaxes and the JPEG colour decision.
PYD = os.path.join(os.path.dirname(pydicom.__file__), "data", "test_files")
for name, note in (("SC_jpeg_no_color_transform.dcm", "pydicom: RGB JPEG with ids 0,1,2 and no JFIF/Adobe; header says RGB -> no YCbCr conversion"),
                   ("SC_rgb_jpeg_lossy_gdcm.dcm", "pydicom: header says RGB but ids 1,2,3 -> YCbCr, converted"),
                   ("SC_rgb_jpeg_gdcm.dcm", "pydicom: lossless JPEG RGB with Adobe marker"),
                   ("JPGExtended.dcm", "pydicom: 12-bit extended JPEG 1024x256"),
                   ("MR_small_jpeg_ls_lossless.dcm", "pydicom: JPEG-LS lossless 16-bit"),
                   ("MR_small_RLE.dcm", "pydicom: RLE 16-bit"),
                   ("SC_rgb_rle_16bit_2frame.dcm", "pydicom: RLE 16-bit RGB two frames")):
    shutil.copy(os.path.join(PYD, name), name)
    ds = pydicom.dcmread(name)
    ts = str(ds.file_meta.TransferSyntaxUID)
    # Reference: dcmtk's decoder for the syntax (colour converted to RGB where the JPEG is YCbCr, as libjpeg decides).
    tool = {RLE: "dcmdrle", LS80: "dcmdjpls"}.get(ts, "dcmdjpeg")
    ref = os.path.join(TMP, "ref_" + name)
    # ids 0,1,2 with no JFIF/Adobe marker: libjpeg would guess YCbCr (the magenta image); the header's RGB is right.
    conv = "+cn" if name == "SC_jpeg_no_color_transform.dcm" else "+cg"
    run(*([tool, conv] if tool == "dcmdjpeg" and ds.SamplesPerPixel == 3 else [tool]), name, ref)
    arr = stored(ref)
    frames, rows, cols, spp = arr.shape
    files.append({"file": name, "transferSyntax": ts, "expect": "decode", "lossless": True, "tolerance": 0,
                  "frames": frames, "rows": rows, "columns": cols, "samplesPerPixel": spp, "stored": record(arr), "note": note})

with open("lossless.fixtures.json", "w") as f:
    json.dump({"generator": "tests/ReportGen.Imaging.Tests/TestFiles/lossless/make_lossless_fixtures.sh",
               "reference": "pydicom %s + numpy on the uncompressed sources; dcmtk %s dcmdjpeg/dcmdjpls/dcmdrle" % (
                   pydicom.__version__, subprocess.run(["dcmdjpeg", "--version"], capture_output=True, text=True).stdout.split()[2]),
               "files": files}, f, indent=1)
shutil.rmtree(TMP)
print(len(files), "fixtures")
