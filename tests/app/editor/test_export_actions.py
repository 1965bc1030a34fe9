"""File > Export in the real main window: each format from a generated rig, refusals, Cancel, settings."""

from __future__ import annotations

import copy
import json
import threading

import pytest

from app.editor.export_actions import FORMATS, run_export
from rig.document.commands import ReplaceRig
from rig.errors import CancelledError
from rig.model import Rig
from rig.testing import tiny_rig
from tests.app.conftest import load_tiny

pytestmark = pytest.mark.qt

_GENERATED: dict[str, Rig] = {}


@pytest.fixture()
def generated_rig(shared_data) -> Rig:
    """The waifu_00 rig, generated once per test run (copied for each test)."""
    if "rig" not in _GENERATED:
        from inference.pipeline import generate

        _GENERATED["rig"] = generate(shared_data / "anime" / "waifu_00.png").rig
    return copy.deepcopy(_GENERATED["rig"])


def _load(window, rig: Rig) -> None:
    window.bridge.push(ReplaceRig(window.bridge.rig, rig))


def _run(window, qtbot, key: str, timeout_ms: int = 60_000) -> str:
    """Trigger File > Export > ``key`` (the scripted dialog answers) and wait; return the outcome."""
    with qtbot.waitSignal(window.exports.finished, timeout=timeout_ms) as blocker:
        window.exports.actions[key].trigger()
        assert window.exports.running and window.exports.dialog.isVisible()
        assert not window.exports.actions[key].isEnabled(), "one export at a time"
    assert not window.exports.running and window.exports.dialog is None
    return blocker.args[0]


def _make_invalid(rig: Rig) -> None:
    """Narrow ParamAngleX to +-10 while keyforms sit at +-30 (``Rig.validate`` refuses that).

    Done in place after loading: the document refuses an invalid rig, so this stands for a rig
    broken by some edit that the exporters must still refuse cleanly.
    """
    p = rig.parameter("ParamAngleX")
    p.min, p.max = -10.0, 10.0


def test_export_menu_lists_the_three_formats_enabled_only_with_a_rig(window):
    menu = window.editor_actions.export_menu
    assert [a.text() for a in menu.actions()] == [f.text for f in FORMATS.values()]
    assert not any(a.isEnabled() for a in menu.actions()), "an empty document has nothing to export"
    load_tiny(window)
    assert all(a.isEnabled() for a in menu.actions())


def test_cubism_export_writes_a_model_folder_with_progress(window, qtbot, dialogs, generated_rig, tmp_path):
    _load(window, generated_rig)
    dialogs.export_answer = str(tmp_path / "models")
    (tmp_path / "models").mkdir()
    stages: list[tuple[float, str]] = []
    original_start = window.exports._start

    def spy_start(*args):
        original_start(*args)
        window.exports.worker.progress.connect(lambda f, s: stages.append((f, s)))

    window.exports._start = spy_start
    assert _run(window, qtbot, "cubism") == "done", dialogs.errors
    folder = tmp_path / "models"  # the chosen folder receives the files, as `kirie export -o` does
    model3 = folder / "waifu_00.model3.json"
    assert window.exports.last_written[0] == model3
    refs = json.loads(model3.read_text())["FileReferences"]
    assert "Physics" in refs, "the generated rig has physics"
    for rel in [refs["Moc"], *refs["Textures"], refs["Physics"], refs["DisplayInfo"]]:
        assert (folder / rel).is_file() and (folder / rel).stat().st_size > 0, rel
    assert (folder / refs["Moc"]).read_bytes()[:4] == b"MOC3"
    fractions = [f for f, _ in stages]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(stages) >= 4
    assert "writing .moc3" in {s for _, s in stages}
    assert not dialogs.errors
    assert window.settings.last_folder("export") == str(tmp_path / "models")
    assert "Exported the Cubism model" in window.statusBar().currentMessage()


@pytest.mark.parametrize(("key", "magic"), [("inp", b"TRNSRTS\0"), ("psd", b"8BPS")])
def test_file_exports_write_their_file_and_remember_the_folder(window, qtbot, dialogs, generated_rig, tmp_path, key,
                                                               magic):  # fmt: skip
    _load(window, generated_rig)
    dialogs.export_answer = str(tmp_path / "out" / "puppet")  # no suffix: the exporter's is added
    (tmp_path / "out").mkdir()
    assert _run(window, qtbot, key) == "done", dialogs.errors
    path = tmp_path / "out" / f"puppet.{key}"
    assert window.exports.last_written == [path]
    assert path.read_bytes()[: len(magic)] == magic
    if key == "psd":
        from psd_tools import PSDImage

        psd = PSDImage.open(path)
        assert psd.size == (generated_rig.canvas_width_px, generated_rig.canvas_height_px)
        assert len(list(psd.descendants())) >= len(generated_rig.art_meshes)
    assert window.settings.last_folder("export") == str(tmp_path / "out")
    dialogs.export_answer = None  # the next dialog starts in the remembered folder; declining does nothing
    window.exports.actions[key].trigger()
    assert dialogs.export_suggested == str(tmp_path / "out" / f"waifu_00.{key}")
    assert not window.exports.running


@pytest.mark.parametrize("key", list(FORMATS))
def test_an_invalid_rig_shows_a_readable_error_and_writes_nothing(window, qtbot, dialogs, key, tmp_path):
    load_tiny(window)
    _make_invalid(window.bridge.rig)
    dialogs.export_answer = str(tmp_path / ("out" if key == "cubism" else "out/tiny"))
    (tmp_path / "out").mkdir()
    assert _run(window, qtbot, key) == "failed"
    (title, text, details), = dialogs.errors
    assert title == f"Export {FORMATS[key].noun}"
    assert "ParamAngleX" in text and "Nothing was written" in text and "Traceback" not in text
    assert "Traceback" in details
    assert list((tmp_path / "out").iterdir()) == [], "no file and no temporary left behind"
    assert all(a.isEnabled() for a in window.exports.actions.values()), "the menu is usable again"


def test_cubism_refusal_names_the_rule(window, qtbot, dialogs, tmp_path):
    rig = tiny_rig()
    rig.art_mesh("ArtMesh1").id = "ArtMesh" + "X" * 70  # a .moc3 id holds at most 63 bytes
    for mesh in rig.art_meshes:
        mesh.mask_ids = tuple("ArtMesh" + "X" * 70 if m == "ArtMesh1" else m for m in mesh.mask_ids)
    _load(window, rig)
    (tmp_path / "out").mkdir()
    dialogs.export_answer = str(tmp_path / "out")
    assert _run(window, qtbot, "cubism") == "failed"
    assert "cannot write .moc3" in dialogs.errors[0][1] and "63" in dialogs.errors[0][1]
    assert list((tmp_path / "out").iterdir()) == []


def test_cancel_stops_a_cubism_export_before_anything_is_written(window, qtbot, dialogs, monkeypatch, tmp_path):
    import rig.formats.cubism.export as cubism_export

    gate, inside = threading.Event(), threading.Event()
    real_pack = cubism_export.pack_atlas

    def slow_pack(rig):  # hold the worker inside the first stage until Cancel was clicked
        inside.set()
        assert gate.wait(30)
        return real_pack(rig)

    monkeypatch.setattr(cubism_export, "pack_atlas", slow_pack)
    load_tiny(window)
    (tmp_path / "out").mkdir()
    dialogs.export_answer = str(tmp_path / "out")
    with qtbot.waitSignal(window.exports.finished, timeout=30_000) as blocker:
        window.exports.actions["cubism"].trigger()
        assert inside.wait(30)
        window.exports.dialog.cancel_button.click()
        assert window.exports.dialog.status.text().startswith("Cancelling...")
        gate.set()
    assert blocker.args == ["cancelled"]
    assert list((tmp_path / "out").iterdir()) == [] and not dialogs.errors
    assert "cancelled" in window.statusBar().currentMessage()


def test_run_export_checks_cancellation_before_every_stage(tmp_path):
    cancel = threading.Event()
    seen = []

    def progress(fraction, stage):
        seen.append(stage)
        cancel.set()  # cancel as soon as the first stage is reported

    with pytest.raises(CancelledError):
        run_export("cubism", tiny_rig(), tmp_path / "m", progress, cancel)
    assert seen == ["packing textures"] and not (tmp_path / "m").exists()
    with pytest.raises(CancelledError):
        run_export("inp", tiny_rig(), tmp_path / "m.inp", None, cancel)
    assert not (tmp_path / "m.inp").exists()


def test_editor_and_cli_write_the_same_cubism_layout(window, qtbot, dialogs, tmp_path):
    from app.cli.main import main
    from rig.formats.project import save_project

    rig = tiny_rig()
    _load(window, copy.deepcopy(rig))
    dialogs.export_answer = str(tmp_path / "editor")
    assert _run(window, qtbot, "cubism") == "done", dialogs.errors
    save_project(tmp_path / "tiny.kirie", rig)
    assert main(["export", str(tmp_path / "tiny.kirie"), "-o", str(tmp_path / "cli"), "--format", "cubism"]) == 0

    def layout(folder):
        return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())

    assert layout(tmp_path / "editor") == layout(tmp_path / "cli")
    assert any(name.endswith(".model3.json") and "/" not in name for name in layout(tmp_path / "cli"))


def test_the_chooser_starts_in_the_project_folder_then_the_last_export_folder(window, qtbot, dialogs, tmp_path):
    project = tmp_path / "work" / "tiny.kirie"
    project.parent.mkdir()
    load_tiny(window)
    dialogs.save_path = str(project)
    assert window.save_as()
    name = window.bridge.rig.name.replace(" ", "_")
    dialogs.export_answer = None
    window.exports.actions["cubism"].trigger()
    assert dialogs.export_suggested == str(project.parent / name), "a new model folder beside the project"
    window.exports.actions["psd"].trigger()
    assert dialogs.export_suggested == str(project.parent / f"{name}.psd")
    dialogs.export_answer = str(tmp_path / "vtube" / name)  # a folder that does not exist yet
    assert _run(window, qtbot, "cubism") == "done", dialogs.errors
    assert (tmp_path / "vtube" / name / f"{name}.model3.json").is_file()
    dialogs.export_answer = None
    window.exports.actions["cubism"].trigger()
    assert dialogs.export_suggested == str(tmp_path / "vtube" / name), "the remembered folder, no nested folder"


def test_the_real_folder_chooser_accepts_a_new_folder_name(qtbot, tmp_path):
    from app.editor.dialogs import FolderChooser

    chooser = FolderChooser(None, "Export Cubism model", str(tmp_path / "MyModel"))
    qtbot.addWidget(chooser)
    chooser.show()
    assert chooser.directory().absolutePath() == str(tmp_path)
    assert chooser.selectedFiles() == [str(tmp_path / "MyModel")]
    chooser.accept()
    assert chooser.result() == 1 and (tmp_path / "MyModel").is_dir()
    existing = FolderChooser(None, "Export Cubism model", str(tmp_path / "MyModel"))
    qtbot.addWidget(existing)
    existing.show()
    assert existing.directory().absolutePath() == str(tmp_path / "MyModel")
    existing.accept()
    assert existing.result() == 1 and existing.selectedFiles() == [str(tmp_path / "MyModel")]
