"""``kirie render``: a saved tiny rig to a PNG, posed with --set; clear errors for bad parameters.

The renders run ``python -m app.cli`` in a subprocess: the CLI uses the process-wide standalone EGL
context, which would otherwise become current under the shared ``gl`` test context.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from app.cli.main import main
from app.cli.render import parse_assignments, parse_color, resolve_values
from rig.formats.project import save_project
from rig.model import Parameter
from rig.testing import tiny_rig

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture()
def project(tmp_path):
    path = tmp_path / "tiny.kirie"
    save_project(path, tiny_rig())
    return path


def kirie(*args):
    return subprocess.run([sys.executable, "-m", "app.cli", *map(str, args)], cwd=REPO, capture_output=True,
                          text=True, timeout=180)


def test_parse_assignments_and_colour():
    assert parse_assignments(["ParamAngleX=30", " ParamEyeLOpen =0.5"]) == {"ParamAngleX": 30.0, "ParamEyeLOpen": 0.5}
    for bad in (["ParamAngleX"], ["=3"], ["ParamAngleX=abc"]):
        with pytest.raises(ValueError):
            parse_assignments(bad)
    assert parse_color("#ff8000") == (1.0, 128 / 255, 0.0)
    with pytest.raises(ValueError):
        parse_color("red")


def test_resolve_values_clamps_wraps_and_rejects(caplog):
    params = [Parameter("ParamAngleX", "X", -30, 0, 30), Parameter("ParamSpin", "S", -180, 0, 180, repeat=True)]
    with caplog.at_level(logging.WARNING):
        values = resolve_values(params, {"ParamAngleX": 45.0, "ParamSpin": 200.0})
    assert values == {"ParamAngleX": 30.0, "ParamSpin": -160.0}
    assert "clamped" in caplog.text and "wrapped" in caplog.text
    assert resolve_values(params, {}) == {"ParamAngleX": 0.0, "ParamSpin": 0.0}
    with pytest.raises(ValueError, match="ParamNope.*ParamAngleX, ParamSpin"):
        resolve_values(params, {"ParamNope": 1.0})


def test_unknown_parameter_fails_before_rendering(project, tmp_path, caplog):
    out = tmp_path / "out.png"
    assert main(["render", str(project), "-o", str(out), "--set", "ParamNope=1"]) == 2
    assert "unknown parameter(s) ParamNope" in caplog.text and not out.exists()
    assert main(["render", str(project), "-o", str(out), "--set", "ParamAngleX"]) == 2


@pytest.mark.gl
def test_render_posed_png(project, tmp_path):
    from PIL import Image

    rest, posed, clamped = tmp_path / "rest.png", tmp_path / "sub" / "posed.png", tmp_path / "clamped.png"
    assert kirie("render", project, "-o", rest).returncode == 0
    result = kirie("render", project, "-o", posed, "--set", "ParamAngleX=30", "--size", "64", "--wireframe")
    assert result.returncode == 0, result.stderr
    over = kirie("render", project, "-o", clamped, "--set", "ParamAngleX=99", "--size", "64", "--wireframe")
    assert over.returncode == 0 and "clamped to 30" in over.stderr
    rest_img = np.asarray(Image.open(rest))
    posed_img = np.asarray(Image.open(posed))
    assert rest_img.shape == (128, 128, 4) and posed_img.shape == (64, 64, 4)
    assert rest_img[0, 0, 3] == 0 and rest_img[64, 64, 3] == 255
    assert np.array_equal(posed_img, np.asarray(Image.open(clamped)))
    a = posed_img[..., 3].astype(float)
    assert (a * np.arange(64)).sum() / a.sum() > 32 + 3  # AngleX=30 moved the face right
