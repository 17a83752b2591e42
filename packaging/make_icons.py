"""Render the app icon (resources/icons/vtconnect-care.svg) into the packages' icon files.

Writes packaging/icons/vtconnect-care.ico (Windows), packaging/icons/vtconnect-care.icns (macOS)
and packaging/linux/icons/hicolor/<size>/apps/vtconnect-care.png (freedesktop icon theme).
Run it after changing the SVG and commit the results:

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/make_icons.py

ICO and ICNS both hold PNG images here (Windows Vista and later, macOS 10.7 and later read
those), so Qt's PNG writer is all that is needed: no Pillow.
"""

from __future__ import annotations

import shutil
import struct
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parents[1]
SVG = ROOT / "resources" / "icons" / "vtconnect-care.svg"
ICONS = ROOT / "packaging" / "icons"
HICOLOR = ROOT / "packaging" / "linux" / "icons" / "hicolor"
NAME = "vtconnect-care"

ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# ICNS element types holding PNG data, by pixel size.
ICNS_TYPES = {
    16: b"icp4",
    32: b"icp5",
    64: b"icp6",
    128: b"ic07",
    256: b"ic08",
    512: b"ic09",
    1024: b"ic10",
}
LINUX_SIZES = (16, 32, 48, 64, 128, 256, 512)


def render_png(renderer: QSvgRenderer, size: int) -> bytes:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RuntimeError(f"could not encode a {size}px PNG")
    buffer.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """An ICO file: ICONDIR, one 16-byte ICONDIRENTRY per image, then the PNG images."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = len(header) + 16 * len(pngs)
    entries, images = b"", b""
    for size, png in sorted(pngs.items()):
        side = 0 if size >= 256 else size  # 0 means 256
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset)
        images += png
        offset += len(png)
    return header + entries + images


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """An ICNS file: 'icns' + total length, then (type, length incl. header, PNG) elements."""
    body = b"".join(
        ICNS_TYPES[size] + struct.pack(">I", 8 + len(png)) + png
        for size, png in sorted(pngs.items())
    )
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main() -> int:
    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        print(f"cannot read {SVG}", file=sys.stderr)
        return 1
    sizes = sorted(set(ICO_SIZES) | set(ICNS_TYPES) | set(LINUX_SIZES))
    pngs = {size: render_png(renderer, size) for size in sizes}

    ICONS.mkdir(parents=True, exist_ok=True)
    (ICONS / f"{NAME}.ico").write_bytes(ico_bytes({s: pngs[s] for s in ICO_SIZES}))
    (ICONS / f"{NAME}.icns").write_bytes(icns_bytes({s: pngs[s] for s in ICNS_TYPES}))
    for size in LINUX_SIZES:
        folder = HICOLOR / f"{size}x{size}" / "apps"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{NAME}.png").write_bytes(pngs[size])
    scalable = HICOLOR / "scalable" / "apps"
    scalable.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SVG, scalable / f"{NAME}.svg")
    print(f"wrote {ICONS}/{NAME}.ico, {NAME}.icns and {len(LINUX_SIZES) + 1} icons under {HICOLOR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
