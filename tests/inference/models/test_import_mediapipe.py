"""Every mediapipe import goes through ``inference.models.runtime.import_mediapipe``, which leaves no
frames alive through the import error mediapipe stores (``sd_error``: no PortAudio)."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytest.importorskip("mediapipe")


def test_the_first_mediapipe_import_keeps_no_frames():
    """A big array live in the importing frame is freed once that frame returns (it stayed alive for
    the whole process before: the tracker's first import, generation's foreground)."""
    code = """
import gc, sys, weakref
import numpy as np

class Big(np.ndarray):
    pass

def first_import():
    big = np.zeros(4, np.uint8).view(Big)
    ref = weakref.ref(big)
    from inference.models.runtime import import_mediapipe
    import_mediapipe()
    return ref

ref = first_import()
gc.collect()
mod = sys.modules.get("mediapipe.tasks.python.audio.core.audio_record")
err = getattr(mod, "sd_error", None)
print(ref() is None, err is None or err.__traceback__ is None)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", "True"]
