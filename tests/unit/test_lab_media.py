"""The lab's media analysis: what its tests conclude from recordings."""

from __future__ import annotations

import numpy as np
import pytest

from lab.media import longest_silence_ms

pytestmark = pytest.mark.unit


def test_the_longest_silence_in_a_steady_tone_is_found() -> None:
    rate = 48000
    tone = np.sin(2 * np.pi * 440 * np.arange(rate) / rate) * 0.3
    assert longest_silence_ms(tone, rate) == 0
    gapped = tone.copy()
    gapped[12000:21600] = 0  # 200 ms of nothing
    assert 180 <= longest_silence_ms(gapped, rate) <= 200
    gapped[30000:31000] *= 0.5  # quieter is not a gap
    assert 180 <= longest_silence_ms(gapped, rate) <= 200
