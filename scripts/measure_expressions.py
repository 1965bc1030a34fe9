"""Measure the tracked expression signals and the default mapping on driving videos (issue 17).

``.venv/bin/python scripts/measure_expressions.py VIDEO.mp4 ... [--frames N] [--calibrate-frames K]``
tracks each video with MediaPipe FaceLandmarker (``face_landmarker.task`` from the model cache),
calibrates on its first ``K`` frames (as ``kirie track`` does; 0: population defaults) and prints,
per video, the percentiles (5, 50, 95, max) of the calibrated sources (mouth_open, eyes, brows,
mouth_form) and of the default rules' outputs (unfiltered: :meth:`MappingRule.apply`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from inference.tracking.calibration import Calibration, calibrate  # noqa: E402
from inference.tracking.mapping import ParameterMapper, default_rules  # noqa: E402
from inference.tracking.sources import VideoSource  # noqa: E402
from inference.tracking.tracker import FaceTracker  # noqa: E402

SOURCES = ("mouth_open", "eye_l", "eye_r", "brow_l", "brow_r", "mouth_form")
PARAMS = ("ParamMouthOpenY", "ParamEyeLOpen", "ParamEyeROpen", "ParamBrowLY", "ParamBrowRY", "ParamMouthForm")


def track(video: Path, frames: int) -> list:
    """FaceFeatures of the first ``frames`` frames of ``video`` (frames without a face dropped)."""
    out = []
    with VideoSource(video) as src, FaceTracker() as tracker:
        for i, frame in zip(range(frames), src):
            f = tracker.process(frame.rgb, int(i * 1000 / 30))
            if f.found:
                out.append(f)
    return out


def measure(features: list, calibrate_frames: int, rules=None) -> tuple[dict, dict]:
    """(source -> values, parameter -> values) of the character-frame sources and the rules' outputs."""
    cal = calibrate(features[:calibrate_frames]) if calibrate_frames else Calibration()
    mapper = ParameterMapper(rules, calibration=cal)
    by_rule = {r.parameter_id: r for r in mapper.rules}
    sources: dict[str, list[float]] = {k: [] for k in SOURCES}
    params: dict[str, list[float]] = {k: [] for k in PARAMS}
    for f in features:
        s = mapper.sources(f)
        for k in SOURCES:
            sources[k].append(s[k])
        for k in PARAMS:
            params[k].append(by_rule[k].apply(s[by_rule[k].source]))
    return {k: np.asarray(v) for k, v in sources.items()}, {k: np.asarray(v) for k, v in params.items()}


def _row(name: str, v: np.ndarray) -> str:
    p5, p50, p95 = np.percentile(v, [5, 50, 95])
    return f"  {name:<16} p5 {p5:+.2f}  p50 {p50:+.2f}  p95 {p95:+.2f}  max {v.max():+.2f}  min {v.min():+.2f}"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("videos", nargs="+", type=Path)
    p.add_argument("--frames", type=int, default=300)
    p.add_argument("--calibrate-frames", type=int, default=8)
    args = p.parse_args(argv)
    rules = default_rules()
    for video in args.videos:
        features = track(video, args.frames)
        sources, params = measure(features, args.calibrate_frames, rules)
        lines = [f"{video.name}: {len(features)} frames with a face"]
        lines += [_row(k, sources[k]) for k in SOURCES] + [_row(k, params[k]) for k in PARAMS]
        sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
