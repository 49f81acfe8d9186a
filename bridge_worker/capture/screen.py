"""Pictures of a bot's X display (whole, or a box of it) through python-xlib."""

from __future__ import annotations

import io

from PIL import Image
from Xlib import X
from Xlib import display as xdisplay

from vendor_scripts.base import Box


def grab(display_name: str, box: Box | None = None) -> Image.Image:
    """The display's pixels now, cropped to `box` (screen pixels) when given."""
    conn = xdisplay.Display(display_name)
    try:
        root = conn.screen().root
        geometry = root.get_geometry()
        x, y, width, height = 0, 0, geometry.width, geometry.height
        if box is not None:
            x, y = max(int(box.x), 0), max(int(box.y), 0)
            width = max(min(int(box.width), geometry.width - x), 1)
            height = max(min(int(box.height), geometry.height - y), 1)
        raw = root.get_image(x, y, width, height, X.ZPixmap, 0xFFFFFFFF)
        return Image.frombytes("RGB", (width, height), raw.data, "raw", "BGRX")
    finally:
        conn.close()


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=3)
    return out.getvalue()
