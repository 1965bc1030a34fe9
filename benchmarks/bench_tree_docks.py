"""Tree docks: milliseconds for the Parts & Layers and Deformers docks to follow one change.

Usage: ``QT_QPA_PLATFORM=offscreen .venv/bin/python -m benchmarks.bench_tree_docks [--repeat N]`` (from
the repository root)

Input: the rig generated from ``../shared/data/anime/waifu_00.png``. Both docks listen to one bridge;
timed are a rename + undo (two ``property`` changes: one row each), a raise + undo (two ``draw_order``
changes: rows move) and a rig replacement + undo (two ``structure`` changes: every row reconciled), the
Qt events processed after each; prints the median over the repeats.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time

from tests.conftest import SHARED_DATA


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    from PySide6.QtWidgets import QApplication

    from app.bridge import DocumentBridge
    from app.panels.deformers_panel import DeformersPanel
    from app.panels.parts_panel import PartsPanel
    from inference.pipeline import generate
    from rig.document import Document
    from rig.document.commands import RenameObject, ReplaceRig
    from rig.edit import draw_order

    qt = QApplication.instance() or QApplication([])
    rig = generate(SHARED_DATA / "anime" / "waifu_00.png").rig
    bridge = DocumentBridge(Document(copy.deepcopy(rig)))
    docks = (PartsPanel(bridge), DeformersPanel(bridge))
    mesh_id = bridge.rig.art_meshes[len(bridge.rig.art_meshes) // 2].id

    def median_ms(step, repeat: int) -> float:
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            step()
            qt.processEvents()
            times.append(time.perf_counter() - t0)
        return 1000 * statistics.median(times)

    def rename() -> None:
        bridge.push(RenameObject(bridge.rig, mesh_id, "Renamed"))
        bridge.undo()

    def restack() -> None:
        bridge.push(draw_order.raise_command(bridge.rig, mesh_id))
        bridge.undo()

    def replace() -> None:
        bridge.push(ReplaceRig(bridge.rig, copy.deepcopy(rig)))
        bridge.undo()

    print(f"{len(rig.art_meshes)} art meshes, {len(rig.deformers)} deformers, {len(docks)} docks")
    for name, step in (("rename + undo", rename), ("raise + undo", restack), ("replace rig + undo", replace)):
        print(f"{name:20s} {median_ms(step, args.repeat):7.2f} ms")


if __name__ == "__main__":
    main()
