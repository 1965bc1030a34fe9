"""Cubism export: export time, .moc3 and atlas sizes, Core ``csmUpdateModel`` vs ``rig.evaluate``.

Run: ``.venv/bin/python benchmarks/bench_cubism_export.py [PROJECT.kirie ...]`` (prints medians).
The Core timing uses the test-only oracle probe (``tests/cubism_core/core_probe.py``, live2d-py).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rig.evaluate import compile_plan, evaluate  # noqa: E402
from rig.formats.cubism import export_cubism  # noqa: E402
from rig.formats.project import load_project  # noqa: E402
from rig.testing import benchmark_rig, tiny_rig  # noqa: E402

PROBE = Path(__file__).resolve().parent.parent / "tests" / "cubism_core" / "core_probe.py"


def median_s(fn, n: int) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def bench(name: str, rig) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "m"
        export_s = median_s(lambda: export_cubism(rig, out, name="m"), 3)
        moc = out / "m.moc3"
        pages = sorted(out.glob("m.*/texture_*.png"))
        (Path(tmp) / "p.json").write_text("[{}]")
        subprocess.run([sys.executable, str(PROBE), str(moc), str(Path(tmp) / "p.json"), str(Path(tmp) / "o.json"),
                        "--time", "500"], check=True, capture_output=True)  # fmt: skip
        core_s = json.loads((Path(tmp) / "o.json").read_text())["update_s"]
        plan = compile_plan(rig)
        values = rig.default_values()
        eval_s = median_s(lambda: evaluate(rig, values, plan), 50)
        print(f"{name:10s} meshes {len(rig.art_meshes):4d}  export {export_s * 1e3:7.1f} ms  moc3 {moc.stat().st_size / 1024:7.1f} KiB  "
              f"atlas {len(pages)} x {pages[0].parent.suffix[1:]} px ({sum(p.stat().st_size for p in pages) / 1024:.0f} KiB png)  "
              f"csmUpdateModel {core_s * 1e6:7.1f} us  evaluate {eval_s * 1e6:7.1f} us")  # fmt: skip


def main(argv: list[str]) -> None:
    bench("tiny", tiny_rig())
    for size in ("small", "medium", "large"):
        bench(size, benchmark_rig(size))
    for path in argv[1:]:
        bench(Path(path).stem, load_project(path).rig)


if __name__ == "__main__":
    main(sys.argv)
