"""Makes small DICOM files for the dataset layer (byte orders, headerless data sets, photometrics, LUTs, bit depths,
non-image objects) and records, for each, what an independent decoder (pydicom 2.3 + numpy; dcmtk for JPEG) finds:
sha256/min/max/mean of the stored samples (all frames, interleaved, little-endian int32) and, where useful, min/max/mean
of the displayed [0, 1] image pydicom's own apply_modality_lut / apply_voi_lut / apply_color_lut / convert_color_space
produce. Format: see DicomFixtureTests.cs. Run through make_dicom_fixtures.sh."""
import hashlib
import json
import os
import shutil
import subprocess
import tempfile

import numpy as np
import pydicom
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.pixel_data_handlers.util import apply_color_lut, apply_modality_lut, apply_voi_lut, convert_color_space
from pydicom.uid import ExplicitVRLittleEndian, ExplicitVRBigEndian, ImplicitVRLittleEndian, generate_uid

HERE = os.path.dirname(os.path.abspath(__file__))
rows = []


def stored_stats(arr):
    a = np.ascontiguousarray(arr).astype('<i4')
    return {"sha256": hashlib.sha256(a.tobytes()).hexdigest(), "min": int(a.min()), "max": int(a.max()), "mean": float(a.mean())}


def y_range(ds):
    """The output range pydicom's apply_windowing maps to (so its result can be normalised to [0, 1])."""
    if ds.get('ModalityLUTSequence'):
        return 0, 2 ** ds.ModalityLUTSequence[0].LUTDescriptor[2] - 1
    lo, hi = (0, 2 ** ds.BitsStored - 1) if ds.PixelRepresentation == 0 else (-2 ** (ds.BitsStored - 1), 2 ** (ds.BitsStored - 1) - 1)
    if 'RescaleSlope' in ds and 'RescaleIntercept' in ds:
        lo, hi = lo * float(ds.RescaleSlope) + float(ds.RescaleIntercept), hi * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
    return lo, hi


def display(ds, arr):
    """What a viewer shows, in [0, 1], by pydicom's own functions."""
    pi = ds.PhotometricInterpretation
    if pi == 'PALETTE COLOR':
        rgb = apply_color_lut(arr, ds).astype(np.float64)
        bits = ds.RedPaletteColorLookupTableDescriptor[2]
        return rgb / (2 ** (16 if rgb.max() >= 2 ** bits else bits) - 1)
    if pi.startswith('YBR'):
        return convert_color_space(arr, pi, 'RGB').astype(np.float64) / 255
    if pi == 'RGB':
        return arr.astype(np.float64) / (2 ** ds.BitsStored - 1)
    frames = arr.reshape((-1,) + arr.shape[-2:]) if int(ds.get('NumberOfFrames', 1)) > 1 else arr[None]
    out = []
    for f in frames:
        m = apply_modality_lut(f, ds).astype(np.float64)
        if ds.get('VOILUTSequence'):
            lut = ds.VOILUTSequence[0]
            y = apply_voi_lut(m.astype(np.int64), ds).astype(np.float64) / (2 ** lut.LUTDescriptor[2] - 1)
        elif 'WindowCenter' in ds:
            lo, hi = y_range(ds)
            y = (apply_voi_lut(m, ds) - lo) / (hi - lo)
        else:
            y = (m - m.min()) / (m.max() - m.min()) if m.max() > m.min() else np.zeros_like(m)
        out.append(1 - y if pi == 'MONOCHROME1' else y)
    return np.stack(out)


def add(name, note, expect="decode", lossless=True, tolerance=0.0, show=True, display_tolerance=1e-4, reference=None):
    """Records one file: reads it back with pydicom (reference) unless an error code is expected."""
    row = {"file": name, "note": note, "expect": expect}
    ds = pydicom.dcmread(os.path.join(HERE, name), force=True)
    if getattr(ds, 'file_meta', None) is not None and 'TransferSyntaxUID' in ds.file_meta:
        row["transferSyntax"] = str(ds.file_meta.TransferSyntaxUID)
    elif expect == "decode":
        # A bare data set: tell pydicom the encoding it detected itself.
        ds.file_meta = FileMetaDataset()
        ds.file_meta.TransferSyntaxUID = (ImplicitVRLittleEndian if ds.is_implicit_VR else
                                          ExplicitVRLittleEndian if ds.is_little_endian else ExplicitVRBigEndian)
    if expect == "decode":
        arr = reference if reference is not None else ds.pixel_array
        row.update({"lossless": lossless, "tolerance": tolerance, "frames": int(ds.get('NumberOfFrames', 1) or 1),
                    "rows": int(ds.Rows), "columns": int(ds.Columns), "samplesPerPixel": int(ds.SamplesPerPixel),
                    "stored": stored_stats(arr)})
        if show:
            d = display(ds, arr)
            row["display"] = {"min": float(d.min()), "max": float(d.max()), "mean": float(d.mean()), "tolerance": display_tolerance}
    rows.append(row)


def copy_testdata(name, new_name=None):
    new_name = new_name or name
    shutil.copyfile(get_testdata_file(name), os.path.join(HERE, new_name))
    return new_name


_uids = iter(range(1, 10 ** 6))


def base(rows_, cols, bits_alloc, bits_stored, signed, pi='MONOCHROME2', spp=1, frames=1, sop='1.2.840.10008.5.1.4.1.1.7'):
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = sop
    # Deterministic UIDs, so remaking the fixtures changes no bytes.
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid(entropy_srcs=['reportgen-dicom-fixture', str(next(_uids))])
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SOPClassUID = sop
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID
    ds.Modality = 'OT'
    ds.Rows, ds.Columns = rows_, cols
    ds.SamplesPerPixel = spp
    ds.PhotometricInterpretation = pi
    if spp > 1:
        ds.PlanarConfiguration = 0
    if frames > 1:
        ds.NumberOfFrames = frames
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = bits_alloc, bits_stored, bits_stored - 1
    ds.PixelRepresentation = 1 if signed else 0
    ds.is_little_endian, ds.is_implicit_VR = True, False
    return ds


def save(ds, name, arr=None):
    if arr is not None:
        ds.PixelData = arr.astype(arr.dtype.newbyteorder('<')).tobytes()
        ds['PixelData'].VR = 'OB' if ds.BitsAllocated == 8 else 'OW'
    ds.save_as(os.path.join(HERE, name), write_like_original=False)
    return name


def dcmtk(args, src, dst):
    subprocess.run(args + [os.path.join(HERE, src), os.path.join(HERE, dst)], check=True)
    return dst


rng = np.random.default_rng(7)

# --- byte orders and headerless data sets (pydicom's own test files, MIT) ------------------------------------------
add(copy_testdata('MR_small_bigendian.dcm'), "explicit VR big endian, 16-bit signed MR")
add(copy_testdata('ExplVR_BigEnd.dcm'), "explicit VR big endian, 8-bit RGB")
add(copy_testdata('rtdose_expb.dcm'), "explicit VR big endian, 32-bit unsigned RT dose, 15 frames", show=False)
add(copy_testdata('rtdose_1frame.dcm'), "implicit VR little endian, 32-bit unsigned RT dose", show=False)
add(copy_testdata('liver_expb_1frame.dcm'), "explicit VR big endian, Bits Allocated 1 (segmentation)", show=False)
add(copy_testdata('liver_1frame.dcm'), "Bits Allocated 1 (segmentation)", show=False)
add(copy_testdata('SC_ybr_full_422_uncompressed.dcm'), "native YBR_FULL_422 (two luma samples share Cb Cr)", display_tolerance=3e-3)
add(copy_testdata('SC_rgb_small_odd.dcm'), "native RGB, 3x3")
add(copy_testdata('image_dfl.dcm'), "deflated explicit VR little endian")
add(copy_testdata('CT_small.dcm'), "CT with rescale and window")
add(copy_testdata('ExplVR_LitEndNoMeta.dcm'), "no preamble/meta, explicit VR little endian, RT Ion Plan", expect="not_an_image")
add(copy_testdata('ExplVR_BigEndNoMeta.dcm'), "no preamble/meta, explicit VR big endian, RT Ion Plan", expect="not_an_image")
add(copy_testdata('rtstruct.dcm'), "no preamble/meta, implicit VR little endian, RT Structure Set", expect="not_an_image")
add(copy_testdata('reportsi.dcm'), "Basic Text SR", expect="not_an_image")
add(copy_testdata('rtplan.dcm'), "RT Plan", expect="not_an_image")
add(copy_testdata('MR_truncated.dcm'), "file ends inside the pixel data", expect="truncated")
add(copy_testdata('no_meta.dcm'), "neither Part 10 nor a well-formed data set", expect="bad_magic")

# A Part 10 file with its preamble and meta stripped (as some archives export): the bare implicit VR data set.
ds = pydicom.dcmread(get_testdata_file('MR_small_implicit.dcm'))
del ds.file_meta
ds.preamble = None
ds.is_little_endian, ds.is_implicit_VR = True, True
ds.save_as(os.path.join(HERE, 'mr_bare_implicit.dcm'), write_like_original=True)
add('mr_bare_implicit.dcm', "no preamble/meta, implicit VR little endian MR")

# --- made with pydicom and converted with dcmtk -----------------------------------------------------------------------
ct = rng.integers(-2048, 2048, size=(3, 24, 20)).astype(np.int16)
ds = base(24, 20, 16, 12, True, frames=3, sop='1.2.840.10008.5.1.4.1.1.2')
ds.RescaleSlope, ds.RescaleIntercept, ds.WindowCenter, ds.WindowWidth = 1, -1024, 40, 400
save(ds, 'ct12_signed_3frames_le.dcm', ct)
add('ct12_signed_3frames_le.dcm', "12-bit signed, 3 frames, rescale + LINEAR window")
add(dcmtk(['dcmconv', '+tb'], 'ct12_signed_3frames_le.dcm', 'ct12_signed_3frames_be.dcm'), "same, dcmconv +tb (explicit VR big endian)")
grey8 = rng.integers(0, 256, size=(2, 16, 22)).astype(np.uint8)
save(base(16, 22, 8, 8, False, frames=2), 'grey8_2frames_le.dcm', grey8)
add(dcmtk(['dcmconv', '+tb'], 'grey8_2frames_le.dcm', 'grey8_2frames_be.dcm'), "8-bit, 2 frames, dcmconv +tb (explicit VR big endian)")
os.remove(os.path.join(HERE, 'grey8_2frames_le.dcm'))

# Retired JPEG processes that are plain 8-bit Huffman JPEG: spectral selection (.4.53) and full progression (.4.55).
smooth = (np.add.outer(np.arange(48), np.arange(40)) * 2 + rng.integers(0, 8, size=(48, 40))).astype(np.uint8)
save(base(48, 40, 8, 8, False), 'smooth8.dcm', smooth)
for opt, name in (('+ep', 'jpeg_progressive_4_55.dcm'), ('+es', 'jpeg_spectral_4_53.dcm')):
    dcmtk(['dcmcjpeg', opt, '+un'], 'smooth8.dcm', name)  # +un: keep the UID, so remaking changes no bytes
    with tempfile.TemporaryDirectory() as t:
        # Reference: dcmtk's own decoder (IJG) via dcmdjpeg, read back by pydicom.
        out = os.path.join(t, 'd.dcm')
        subprocess.run(['dcmdjpeg', os.path.join(HERE, name), out], check=True)
        ref = pydicom.dcmread(out).pixel_array
    add(name, f"retired JPEG process, dcmcjpeg {opt}; reference dcmdjpeg (IJG)", lossless=False, tolerance=1.0, show=False, reference=ref)
os.remove(os.path.join(HERE, 'smooth8.dcm'))

# --- photometrics -----------------------------------------------------------------------------------------------------
rgb = rng.integers(0, 256, size=(10, 12, 3)).astype(np.uint8)
ybr = convert_color_space(rgb, 'RGB', 'YBR_FULL')
save(base(10, 12, 8, 8, False, pi='YBR_FULL', spp=3), 'ybr_full_native.dcm', ybr)
add('ybr_full_native.dcm', "native YBR_FULL", display_tolerance=3e-3)
ds = base(10, 12, 8, 8, False, pi='RGB', spp=3)
ds.PlanarConfiguration = 1
ds.PixelData = np.moveaxis(rgb, -1, 0).tobytes()
ds['PixelData'].VR = 'OB'
ds.save_as(os.path.join(HERE, 'rgb_planar.dcm'), write_like_original=False)
add('rgb_planar.dcm', "native RGB, Planar Configuration 1")

for bits in (8, 16):
    idx = rng.integers(0, 200, size=(12, 14)).astype(np.uint8)
    ds = base(12, 14, 8, 8, False, pi='PALETTE COLOR')
    lut = [np.linspace(0, 2 ** bits - 1, 256).astype(np.uint16 if bits == 16 else np.uint8)[::-1],
           np.linspace(0, 2 ** bits - 1, 256).astype(np.uint16 if bits == 16 else np.uint8),
           ((np.arange(256) * 7) % (2 ** bits)).astype(np.uint16 if bits == 16 else np.uint8)]
    for ch, (desc, data) in enumerate((('RedPaletteColorLookupTableDescriptor', 'RedPaletteColorLookupTableData'),
                                       ('GreenPaletteColorLookupTableDescriptor', 'GreenPaletteColorLookupTableData'),
                                       ('BluePaletteColorLookupTableDescriptor', 'BluePaletteColorLookupTableData'))):
        setattr(ds, desc, [256, 0, bits])
        setattr(ds, data, lut[ch].astype('<u2' if bits == 16 else 'u1').tobytes())
    save(ds, f'palette{bits}.dcm', idx)
    add(f'palette{bits}.dcm', f"PALETTE COLOR, {bits}-bit LUT entries")

# --- LUTs and VOI functions -----------------------------------------------------------------------------------------
mr = rng.integers(0, 4096, size=(16, 16)).astype(np.uint16)
ds = base(16, 16, 16, 12, False)
voi = Dataset()
voi.LUTDescriptor = [2048, 1000, 12]
voi.LUTData = [int(v) for v in np.linspace(0, 4095, 2048).astype(np.uint16)]
voi['LUTData'].VR = 'US'
ds.VOILUTSequence = [voi]
ds.WindowCenter, ds.WindowWidth = 100, 50  # the LUT wins, as in pydicom's apply_voi_lut
save(ds, 'voi_lut_sequence.dcm', mr)
add('voi_lut_sequence.dcm', "VOI LUT Sequence (applied instead of window or min/max)")

ds = base(16, 16, 16, 12, False)
mod = Dataset()
mod.LUTDescriptor = [4096, 0, 16]
mod.ModalityLUTType = 'US'
mod.LUTData = [int(v) for v in (np.sqrt(np.arange(4096)) * 1000).astype(np.uint16)]
mod['LUTData'].VR = 'US'
ds.ModalityLUTSequence = [mod]
save(ds, 'modality_lut_sequence.dcm', mr)
add('modality_lut_sequence.dcm', "Modality LUT Sequence (instead of rescale), min/max display")

for fn in ('SIGMOID', 'LINEAR_EXACT'):
    ds = base(16, 16, 16, 12, False)
    ds.WindowCenter, ds.WindowWidth, ds.VOILUTFunction = 2000, 1500, fn
    ds.RescaleSlope, ds.RescaleIntercept = 1, 0
    save(ds, f'voi_{fn.lower()}.dcm', mr)
    add(f'voi_{fn.lower()}.dcm', f"VOI LUT Function {fn}")

# Enhanced multi-frame: rescale in the functional groups (shared slope, per-frame intercepts -1024 and -1000), no top-level
# rescale. pydicom 2.3 does not apply functional groups, so only the stored samples are checked here; DicomDecoderTests
# checks the modality values.
ds = base(8, 6, 16, 16, True, frames=2, sop='1.2.840.10008.5.1.4.1.1.2.1')
shared, pvt = Dataset(), Dataset()
pvt.RescaleSlope, pvt.RescaleIntercept, pvt.RescaleType = 2, 0, 'HU'
shared.PixelValueTransformationSequence = [pvt]
ds.SharedFunctionalGroupsSequence = [shared]
per = []
for intercept in (-1024, -1000):
    item, p = Dataset(), Dataset()
    p.RescaleSlope, p.RescaleIntercept, p.RescaleType = 1, intercept, 'HU'
    item.PixelValueTransformationSequence = [p]
    per.append(item)
ds.PerFrameFunctionalGroupsSequence = per
save(ds, 'enhanced_ct_functional_groups.dcm', rng.integers(0, 3000, size=(2, 8, 6)).astype(np.int16))
add('enhanced_ct_functional_groups.dcm', "enhanced CT: rescale only in per-frame functional groups", show=False)

# --- numbers that do not parse are errors -----------------------------------------------------------------------------
for name, tag, value in (('bad_rescale_slope.dcm', 'RescaleSlope', 'abc'), ('bad_window_width.dcm', 'WindowWidth', 'NaN'),
                         ('bad_window_center.dcm', 'WindowCenter', '1e400')):
    ds = base(4, 4, 8, 8, False)
    ds.RescaleIntercept, ds.RescaleSlope, ds.WindowCenter, ds.WindowWidth = 0, 1, 10, 20
    ds.add_new(pydicom.datadict.tag_for_keyword(tag), 'DS', None)
    ds[tag]._value = value  # pydicom would refuse the value itself
    save(ds, name, np.zeros((4, 4), np.uint8))
    add(name, f"{tag} '{value}'", expect="corrupt")

table = {
    "generator": "tests/ReportGen.Imaging.Tests/TestFiles/dicom/make_dicom_fixtures.sh",
    "reference": f"pydicom {pydicom.__version__} + numpy {np.__version__} (dcmtk dcmdjpeg for JPEG)",
    "files": rows,
}
with open(os.path.join(HERE, 'dicom.fixtures.json'), 'w') as fh:
    json.dump(table, fh, indent=1)
    fh.write('\n')
print(f"{len(rows)} rows; {sum(os.path.getsize(os.path.join(HERE, r['file'])) for r in rows)} bytes of DICOM")
