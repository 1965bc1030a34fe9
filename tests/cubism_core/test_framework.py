"""A whole exported model folder through the Cubism Core and the Native Framework in ``live2d-py``.

Tier B (cubism-formats.md 4.3): ``LoadModelJson`` reads model3.json, the .moc3, physics3 and the
idle motion3 in a subprocess; the idle motion moves ParamAngleX and physics moves ParamHairFront.
The Core (Tier A) reports the atlas uvs (v flipped: ``1 - v_file``) and texture numbers written.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from rig.formats.cubism import export_cubism
from rig.formats.cubism.atlas import pack_atlas
from tests.cubism_core.oracle import FRAMEWORK_PROBE, require_core, run_probe
from tests.formats.cubism.physics_rig import tiny_rig_with_physics

pytestmark = pytest.mark.cubism_core


@pytest.fixture(autouse=True)
def _core():
    require_core()


def test_framework_loads_model_with_physics_and_motion(tmp_path):
    rig = tiny_rig_with_physics()
    written = export_cubism(rig, tmp_path / "model", name="tiny")
    proc = subprocess.run([sys.executable, str(FRAMEWORK_PROBE), str(written[0]), "ParamHairFront"],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["consistent"] and out["param_count"] == len(rig.parameters)
    assert out["param_ids"] == [p.id for p in rig.parameters]
    assert out["drawable_ids"] == [m.id for m in rig.art_meshes]
    assert out["canvas_px"] == [128.0, 128.0] and out["ppu"] == 128.0
    assert out["motion_groups"] == {"Idle": 1}
    assert max(abs(v) for v in out["angle_x"]) > 1.0, "the idle motion sways ParamAngleX"
    assert max(abs(v) for v in out["watched"]) > 0.01, "physics swings ParamHairFront"


def test_core_reports_the_atlas_uvs(tmp_path):
    rig = tiny_rig_with_physics()
    written = export_cubism(rig, tmp_path / "model", name="tiny")
    moc = next(p for p in written if p.suffix == ".moc3").read_bytes()
    report = run_probe(moc, [{}], tmp_path)
    atlas = pack_atlas(rig)
    for m, uvs, tex in zip(rig.art_meshes, report["drawables"]["uvs"], report["drawables"]["textures"]):
        page, expected = atlas.remap_uvs(m.layer_id, m.uvs)
        assert tex == page
        core = np.asarray(uvs, np.float32).reshape(-1, 2)
        np.testing.assert_array_equal(core[:, 0], expected[:, 0])
        np.testing.assert_allclose(core[:, 1], 1.0 - expected[:, 1], atol=1e-7)  # the Core flips v on output
