#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""jpeg_to_pdf.py JPEG PDF [DPI]: a one-page PDF holding the JPEG as an
image and nothing else, like a scanner makes: a PDF with no text layer.
For tests (ImageMagick's policy on Debian refuses to write PDF)."""
import struct
import sys


def jpeg_size(jpg):
    i = 2
    while i + 9 <= len(jpg) and jpg[i] == 0xFF:
        marker = jpg[i + 1]
        length = struct.unpack(">H", jpg[i + 2:i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            h, w = struct.unpack(">HH", jpg[i + 5:i + 9])
            return w, h
        i += 2 + length
    raise SystemExit("jpeg_to_pdf: no frame header in the JPEG")


def main():
    if len(sys.argv) not in (3, 4):
        raise SystemExit(__doc__)
    jpg = open(sys.argv[1], "rb").read()
    dpi = float(sys.argv[3]) if len(sys.argv) == 4 else 150.0
    w, h = jpeg_size(jpg)
    pw, ph = w * 72 / dpi, h * 72 / dpi
    content = f"q {pw:.2f} 0 0 {ph:.2f} 0 0 cm /Im0 Do Q".encode()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {pw:.2f} {ph:.2f}] "
        f"/Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>".encode(),
        f"<< /Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace "
        f"/DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length {len(jpg)} >>"
        f"\nstream\n".encode() + jpg + b"\nendstream",
        f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for k, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{k} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    open(sys.argv[2], "wb").write(out)


main()
