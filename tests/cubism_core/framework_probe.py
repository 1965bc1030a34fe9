"""Load a model3.json with the Cubism Framework inside ``live2d-py`` (no GL); print one JSON line.

Test-only oracle, Tier B of cubism-formats.md 4.3: run as a **subprocess** (a failed load makes the
next call segfault). Usage: ``python framework_probe.py MODEL3_JSON WATCH_PARAM``. Reports parameter
ids, part and drawable ids, canvas, motion groups, and the values of ``WATCH_PARAM`` and
``ParamAngleX`` over 60 updates of 1/30 s while the first Idle motion plays.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys


def main(argv: list[str]) -> int:
    path, watch = argv[1], argv[2]
    with contextlib.redirect_stdout(io.StringIO()):
        import live2d

        live2d.setLogLevel(live2d.LogLevels.LV_ERROR)
        live2d.init()
    m = live2d.Model()
    m.LoadModelJson(path, create_renderer=False)
    out = {"param_count": m.GetParamCount()}
    out["param_ids"] = list(m.GetParamIds())
    out["part_ids"] = list(m.GetPartIds())
    out["drawable_ids"] = list(m.GetDrawableIds())
    out["canvas_px"] = list(m.GetCanvasSizePixel())
    out["ppu"] = m.GetPixelsPerUnit()
    out["motion_groups"] = {k: v for k, v in m.GetMotionGroups().items()}
    out["consistent"] = bool(m.HasMocConsistencyFromFile(os.path.basename(json.load(open(path))["FileReferences"]["Moc"])))
    m.SetAutoBlink(False)
    m.SetAutoBreath(False)
    if "Idle" in out["motion_groups"]:
        m.StartMotion("Idle", 0, 3)
    watched, angle = [], []
    for _ in range(60):
        m.Update(1 / 30)
        watched.append(m.GetParamValueById(watch) if watch in out["param_ids"] else None)
        angle.append(m.GetParamValueById("ParamAngleX") if "ParamAngleX" in out["param_ids"] else None)
    out["watched"], out["angle_x"] = watched, angle
    sys.stdout.write(json.dumps(out) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
