#!/usr/bin/env bash
# Remakes the lossless/extended/JPEG-LS/RLE DICOM fixtures in this folder and lossless.fixtures.json.
# Sources are synthetic (gradients + noise, fixed seeds), written uncompressed with pydicom; the Debian tools
# (dcmtk, GDCM) compress them; the expected samples come from an independent decoder: pydicom on the
# uncompressed source for lossless syntaxes, dcmtk's own decompressor (dcmdjpeg/dcmdjpls) for lossy ones.
# Needs: dcmtk, libgdcm-tools, /usr/bin/python3 with pydicom and numpy.
set -euo pipefail
cd "$(dirname "$0")"
exec /usr/bin/python3 make_lossless_fixtures.py
