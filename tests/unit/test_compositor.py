import numpy as np
import pytest

from bridge_worker.wiring.compositor import compose

pytestmark = pytest.mark.unit


def solid(rgb: tuple[int, int, int], w: int = 160, h: int = 90) -> np.ndarray:
    picture = np.empty((h, w, 3), dtype=np.uint8)
    picture[:] = rgb
    return picture


def test_no_source_is_a_black_picture() -> None:
    assert not compose([], 64, 36).any()


def test_one_source_fills_the_picture() -> None:
    out = compose([solid((255, 0, 0))], 640, 360)
    assert out.shape == (360, 640, 3)
    assert tuple(out[180, 320]) == (255, 0, 0) and tuple(out[5, 5]) == (255, 0, 0)


def test_two_sources_stand_side_by_side_letterboxed() -> None:
    out = compose([solid((255, 0, 0)), solid((0, 0, 255))], 640, 360)
    assert tuple(out[180, 160]) == (255, 0, 0)
    assert tuple(out[180, 480]) == (0, 0, 255)
    assert tuple(out[5, 160]) == (0, 0, 0)  # 16:9 in a 320-wide column: bars above


def test_a_tall_source_keeps_its_shape() -> None:
    out = compose([solid((0, 255, 0), w=90, h=160)], 640, 360)
    assert tuple(out[180, 320]) == (0, 255, 0)
    assert tuple(out[180, 20]) == (0, 0, 0)
