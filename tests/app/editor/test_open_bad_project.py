"""Opening a hostile or damaged project shows the loader's one-line message and keeps the editor alive.

Before issue 16, a deeply nested ``rig.json`` raised RecursionError out of the loader and the editor died
at start-up (``kirie bad.kirie`` opens the file the same way, through ``MainWindow.open_project``).
"""

from __future__ import annotations

import pytest

from rig.formats.project import save_project
from rig.model import deep_equal
from rig.testing import tiny_rig
from tests.app.conftest import load_tiny
from tests.formats.hostile import deep_json, rewrite_project

pytestmark = pytest.mark.qt


def _canvas(doc):
    doc["canvas_width_px"] = doc["canvas_height_px"] = 10**9


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"raw_rig_json": deep_json(100_000)}, "nested too deeply"),
    ({"zero_entries": {"junk.bin": 1 << 30}}, "junk.bin: 1024.0 MiB uncompressed, over the limit"),
    ({"encrypted": ("rig.json",)}, "encrypted"),
    ({"edit": _canvas}, "over Kirie's limit"),
    ({"edit": lambda d: d["physics"].__setitem__("fps", 0)}, "physics.fps"),
])  # fmt: skip
def test_bad_project_shows_the_error_and_keeps_the_document(window, dialogs, tmp_path, kwargs, match):
    good = tmp_path / "good.kirie"
    save_project(good, tiny_rig())
    bad = rewrite_project(good, tmp_path / "bad.kirie", **kwargs)
    load_tiny(window)
    before = window.bridge.rig
    assert window.open_project(bad) is False
    title, text, details = dialogs.errors[-1]
    assert title == "Cannot open project" and "bad.kirie" in text
    assert match in details and "\n" not in details and "Traceback" not in details
    assert window.isVisible() and deep_equal(window.bridge.rig, before)  # still there, still the same document
    assert window.open_project(good) is True  # and still working
