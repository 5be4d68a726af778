#!/bin/sh
# Remakes the DICOM dataset-layer fixtures and their expected-sample table (dicom.fixtures.json).
# Needs Debian's dcmtk (dcmconv, dcmcjpeg, dcmdjpeg) and /usr/bin/python3 with pydicom 2.3 + numpy; the tests need none of them.
set -eu
cd "$(dirname "$0")"
exec /usr/bin/python3 make_dicom_fixtures.py "$@"
