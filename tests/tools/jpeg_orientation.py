#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""jpeg_orientation.py IN.jpg OUT.jpg N: IN with an EXIF segment whose
Orientation tag is N (1-8), as a phone writes it, added after SOI. For
tests of levee turning photos upright."""
import struct
import sys

if len(sys.argv) != 4:
    raise SystemExit(__doc__)
jpg = open(sys.argv[1], "rb").read()
orientation = int(sys.argv[3])
if jpg[:2] != b"\xff\xd8" or not 1 <= orientation <= 8:
    raise SystemExit("jpeg_orientation: need a JPEG and an orientation from 1 to 8")
# a big-endian TIFF header, one IFD with one SHORT entry, no next IFD
tiff = b"MM\x00\x2a" + struct.pack(">I", 8) + struct.pack(">H", 1)
tiff += struct.pack(">HHIHH", 0x0112, 3, 1, orientation, 0) + struct.pack(">I", 0)
segment = b"Exif\x00\x00" + tiff
app1 = b"\xff\xe1" + struct.pack(">H", len(segment) + 2) + segment
open(sys.argv[2], "wb").write(jpg[:2] + app1 + jpg[2:])
