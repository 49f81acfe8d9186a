"""The bot's camera picture in a room: the other meetings' stages side by side.

Pure (numpy in, numpy out) so the layout is unit-tested. Each source keeps its
aspect ratio inside an equal-width column, letterboxed on black.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image


def compose(pictures: Sequence[np.ndarray], width: int, height: int) -> np.ndarray:
    """One RGB picture of `width` x `height` holding `pictures` left to right."""
    if len(pictures) == 1 and pictures[0].shape == (height, width, 3):
        return pictures[0]  # one source at the camera's size: nothing to lay out
    canvas = np.zeros((height, width, 3), dtype=np.uint8)
    if not pictures:
        return canvas
    column = width // len(pictures)
    for index, picture in enumerate(pictures):
        src_h, src_w = picture.shape[:2]
        scale = min(column / src_w, height / src_h)
        fit_w, fit_h = max(int(src_w * scale), 1), max(int(src_h * scale), 1)
        fitted = np.asarray(
            Image.fromarray(picture).resize((fit_w, fit_h), Image.Resampling.BILINEAR)
        )
        left = index * column + (column - fit_w) // 2
        top = (height - fit_h) // 2
        canvas[top : top + fit_h, left : left + fit_w] = fitted
    return canvas
