"""The generation pipeline: one image file in, a rigged :class:`rig.model.Rig` out.

Stages (design.md "Generation"): load → foreground → landmarks → parts → layers (with completion and
synthesis) → meshes → rig (template fit) → physics. Each stage is a plain function with typed inputs
and outputs (``inference.types``); this module runs them in order, reports progress as
``progress(fraction, stage)``, honours a :class:`CancelToken` between and inside stages, times every
stage, and is deterministic for a given seed.

The rig keeps its :class:`~rig.model.SourceImage` (``rig.source``: the input colours, the foreground
alpha and the visible-layer owner map of stage 5), which the editor's mask painting re-cuts from
(``inference.layers.recut``).

No face: generation **stops** with :class:`rig.errors.NoFaceFoundError` naming the detectors that
were tried (a rig without a face would not move in any useful way); nothing is written.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from inference.types import CancelToken, FaceLandmarks, PartLabel, ProgressCallback
from rig.errors import NoFaceFoundError
from rig.model import Rig

log = logging.getLogger(__name__)

# (stage name, share of the total wall time, measured on 512-1024 px inputs)
STAGES: tuple[tuple[str, float], ...] = (
    ("load", 0.03),
    ("foreground", 0.12),
    ("landmarks", 0.15),
    ("parts", 0.15),
    ("layers", 0.30),
    ("meshes", 0.10),
    ("rig", 0.12),
    ("physics", 0.03),
)


@dataclass(slots=True)
class GenerationResult:
    """What :func:`generate` returns: the rig, per-stage seconds, notices for the user, the face."""

    rig: Rig
    timings_s: dict[str, float]
    notices: list[str]
    face: FaceLandmarks
    methods: dict[str, str] = field(default_factory=dict)
    working_foreground_alpha: np.ndarray | None = None  # (H, W) float32 [0, 1]; None for big inputs
    backends: dict[str, Any] = field(default_factory=dict)  # stage -> inference.backends.StageBackend
    detection: str = ""  # inference.landmarks.FaceSearch.report(): "anime face found by animeface at 512 px"
    detectors_tried: list[str] = field(default_factory=list)  # FaceSearch.tried, one line per detector run

    @property
    def foreground_alpha(self) -> np.ndarray | None:
        """(H, W) float32 in [0, 1], canvas frame: the foreground alpha the layers were cut with.

        For an input larger than the working canvas it is made on each call from the source
        record's 8-bit alpha (a canvas-sized float array is not kept with the result)."""
        if self.working_foreground_alpha is not None:
            return self.working_foreground_alpha
        if self.rig.source is None:
            return None
        return self.rig.source.rgba[..., 3].astype(np.float32) / 255.0

    def summary(self) -> dict[str, Any]:
        """A JSON-ready summary: stages with seconds, parts, parameters, vertices, meshes."""
        r = self.rig
        return {
            "canvas_px": [r.canvas_width_px, r.canvas_height_px],
            "stages_s": {k: round(v, 4) for k, v in self.timings_s.items()},
            "total_s": round(sum(self.timings_s.values()), 4),
            "face": {"kind": self.face.kind, "method": self.face.method, "face_width_px": round(self.face.face_width_px, 1),
                     "detection": self.detection, "tried": self.detectors_tried},
            "methods": self.methods,
            "backends": {k: b.to_json() for k, b in self.backends.items()},
            "parts": [p.id for p in r.parts],
            "layers": [la.name for la in r.layers],
            "parameters": [p.id for p in r.parameters],
            "art_meshes": len(r.art_meshes),
            "deformers": len(r.deformers),
            "vertices": int(sum(m.vertex_count for m in r.art_meshes)),
            "triangles": int(sum(len(m.triangles) for m in r.art_meshes)),
            "physics_settings": len(r.physics.settings),
            "notices": self.notices,
        }


class _Runner:
    """Runs stages with timing, progress and cancellation."""

    def __init__(self, progress: ProgressCallback | None, cancel: CancelToken):
        self.progress, self.cancel = progress, cancel
        self.timings: dict[str, float] = {}
        self._done = 0.0
        self._seen: set[str] = set()

    def run(self, name: str, fn: Callable[[], Any]) -> Any:
        self.cancel.check()
        share = dict(STAGES)[name]
        if self.progress:
            self.progress(self._done, name)
        t0 = time.perf_counter()
        out = fn()
        self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - t0
        if name not in self._seen:
            self._done = min(1.0, self._done + share)
            self._seen.add(name)
        self.cancel.check()
        if self.progress:
            self.progress(self._done, name)
        return out


def generate(
    image_path: str | Path,
    *,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    seed: int = 0,
    template: str = "default",
    use_learned: bool = True,
    face_index: int | None = None,
    backend: str | None = None,
    device: str = "auto",
) -> GenerationResult:
    """Generate a rig from one image file.

    Parameters
    ----------
    image_path : path
        PNG / JPEG / WebP (anything Pillow reads), anime illustration or real portrait.
    progress : callable(fraction, stage), optional
    cancel : CancelToken, optional
    seed : int
        Seeds OpenCV's and numpy's generators used by the stages (GrabCut, sampling).
    template : str
        Name of a template in ``resources/templates`` or a path to one.
    use_learned : bool
        Shorthand kept for callers: ``backend="auto"`` when True, ``"classical"`` when False.
    backend : {"classical", "learned", "auto"}, optional
        Per-stage backend choice (:mod:`inference.backends`); overrides ``use_learned``.
    device : {"auto", "cpu", "cuda"}
        Where learned models run (onnxruntime execution provider).
    face_index : int, optional
        With several faces in the image, which to rig (0 = the largest, the default; see
        :func:`inference.landmarks.find_face`).

    Raises
    ------
    InputImageError
        Unreadable, corrupt, too small or unsupported image.
    NoFaceFoundError
        No anime or real face (the message names what was tried).
    inference.backends.LearnedBackendError
        ``backend="learned"`` and a stage's model is missing, corrupt or cannot run on ``device``
        (the message has the ``kirie models pull NAME`` line).
    CancelledError
        ``cancel`` was triggered; nothing is returned.
    """
    from inference.backends import BackendChoice
    from inference.landmarks import find_face
    from inference.landmarks.geometry import scale_landmarks
    from inference.layers.cut import cut_scene, make_scene
    from inference.layers.fullres import full_alpha, to_full_resolution
    from inference.layers.reach import MOVE_REACH_FW, reach_past_canvas
    from inference.layers.recut import source_from_scene
    from inference.load import load_image
    from inference.meshing.meshes import mesh_layers
    from inference.rigging import build_rig, load_template
    from inference.rigging.physics import build_physics
    from inference.segmentation.foreground import drop_background_pockets, estimate_foreground
    from inference.segmentation.parts import segment_parts

    cancel = cancel or CancelToken()
    choice = BackendChoice(backend or ("auto" if use_learned else "classical"), device)
    backends: dict = {}
    _seed_everything(seed)
    run = _Runner(progress, cancel)
    tpl = load_template(template)
    full = run.run("load", lambda: load_image(image_path))
    img, up = run.run("load", lambda: _working_canvas(full))  # big inputs: layers made small, textures full
    if choice.backend == "learned":  # stop before any work when a model is missing (the pull line)
        from inference.backends import LEARNED_STAGES, LearnedBackendError, resolve

        problems = []
        for stage in LEARNED_STAGES:
            try:
                if not (stage == "foreground" and img.has_alpha):
                    resolve(stage, choice)
            except LearnedBackendError as exc:
                problems.append(str(exc))
        if problems:
            raise LearnedBackendError("\n".join(problems))
    fg = run.run("foreground", lambda: _foreground(img, cancel, choice, backends, estimate_foreground))
    search = run.run("landmarks", lambda: find_face(img, fg, cancel=cancel, face_index=face_index))
    face = search.face
    _drop_import_tracebacks()
    if face is None:
        raise NoFaceFoundError(
            f"No face found in {Path(image_path).name} (tried: {search.summary()}). Kirie rigs characters "
            "with a visible face seen from the front or three-quarters; try a larger or less cropped image."
            + (" For photos of real people, first run 'kirie models pull face_landmarker'."
               if "not in the model cache" in search.summary() else "")
        )
    if not fg.method.startswith(("alpha", "anime-seg")):
        # a second foreground pass seeded with the face keeps a flood fill from swallowing it
        fg = run.run("foreground", lambda: estimate_foreground(img, cancel=cancel, face_box=face.face_box))
    parts = run.run("parts", lambda: _parts(img, fg, face, cancel, choice, backends, segment_parts))
    if face.kind != "real":  # drawings: a flat background caught between strands (photos: s10's dark
        # backdrop between collar and turban became a hole in the back hair that tore on AngleZ, 0.03 -> 0.15 %)
        fg, pocket = drop_background_pockets(img, fg, parts.mask(PartLabel.BACK_HAIR, PartLabel.FRONT_HAIR))
        parts.labels[pocket] = PartLabel.BACKGROUND
    scene = run.run("layers", lambda: make_scene(img, fg, face, parts))
    layers = run.run("layers", lambda: _cut(scene, cancel, choice, backends, cut_scene))
    layers = reach_past_canvas(layers, scene.shape, int(MOVE_REACH_FW * scene.fw))
    tpl, depth_note = run.run("layers", lambda: _depth(img, fg, scene, tpl, choice, backends))
    meshes = run.run("meshes", lambda: mesh_layers(layers, face_width_px=face.face_width_px))
    fg_alpha = fg.alpha
    if up > 1.0:  # the input's alpha channel becomes the foreground alpha, in place (the source record's)
        alpha = full_alpha(fg.alpha, full.rgba, fg.method.startswith("alpha"))
        layers, meshes = run.run("layers", lambda: to_full_resolution(layers, meshes, scene.rank, full.rgba[..., :3], alpha, up))
        face = scale_landmarks(face, up)
        fg_alpha = None  # derived from rig.source on demand: no canvas-sized float array kept
    name = Path(image_path).stem
    rig = run.run("rig", lambda: build_rig(tpl, face, layers, meshes, full.size_px, name=name))
    rig.physics = run.run("physics", lambda: build_physics(tpl))
    layers = meshes = None  # the full-resolution cut layers' visible masks: the rig does not keep them
    ids = {la.name: la.id for la in rig.layers}
    rig.source = source_from_scene(scene, img.rgba[..., :3], ids)  # for re-cuts
    if up > 1.0:
        rig.source = _full_source(rig.source, full.rgba, face)
    _drop_import_tracebacks()
    methods = {"foreground": fg.method, "landmarks": face.method, "parts": parts.method,
               "completion": "+".join(backends["completion"].models) if backends["completion"].backend == "learned"
               else "telea"}
    if depth_note:
        methods["depth"] = depth_note
    for stage, b in backends.items():
        log.info("backend %s: %s%s (%s)", stage, b.backend, f" {'+'.join(b.models)} on {b.provider}" if b.models else "", b.reason)
    return GenerationResult(rig, run.timings, [*full.notices, *search.notices], face, methods, fg_alpha, backends,
                            search.report(), search.tried)



def _working_canvas(full):
    """(working LoadedImage, full px per working px): the full image when it is small enough."""
    from inference.layers.fullres import WORKING_CANVAS_PX
    from inference.load import working_copy
    from inference.types import LoadedImage

    small, s = working_copy(full.rgba, WORKING_CANVAS_PX)
    if s >= 1.0:
        return full, 1.0
    return LoadedImage(small, full.source, full.has_alpha, full.scale * s, list(full.notices)), 1.0 / s


def _full_source(source, rgba_full, face):
    """The working source record on the full canvas: owner map upscaled, and the full-resolution input
    itself (not a copy) whose alpha channel :func:`~inference.layers.fullres.full_alpha` made the
    foreground alpha."""
    import dataclasses

    from inference.layers.fullres import upscale_owner

    return dataclasses.replace(
        source, rgba=rgba_full, labels=upscale_owner(source.labels, rgba_full.shape[:2]),
        face_box_px=tuple(float(v) for v in face.face_box),
        face_contour_px=np.asarray(face.face_contour, np.float32).reshape(-1, 2),
        chin_px=(float(face.chin[0]), float(face.chin[1])),
    )


def _drop_import_tracebacks() -> None:
    """:func:`inference.models.runtime.drop_import_tracebacks`, for a mediapipe imported elsewhere
    than through :func:`~inference.models.runtime.import_mediapipe` (this generation's arrays must
    not outlive it)."""
    from inference.models.runtime import drop_import_tracebacks

    drop_import_tracebacks()


def _foreground(img, cancel, choice, backends, embedded):
    from inference.backends import StageBackend, resolve, run_stage

    if img.has_alpha:
        chosen = StageBackend("foreground", "classical", reason="the input has an alpha channel")
    else:
        chosen = resolve("foreground", choice)

    def learned():
        from inference.segmentation import foreground_isnet

        return foreground_isnet.isnet_foreground(img, foreground_isnet.model_path(), prefer_gpu=choice.prefer_gpu)

    fg, backends["foreground"] = run_stage(chosen, choice, learned, lambda: embedded(img, cancel=cancel))
    return fg


def _parts(img, fg, face, cancel, choice, backends, classical):
    from inference.backends import resolve, run_stage

    def learned():
        from inference.segmentation.parts_sam import sam_parts

        return sam_parts(img, fg, face, classical(img, fg, face, cancel=cancel), prefer_gpu=choice.prefer_gpu)

    chosen = resolve("parts", choice, kind=face.kind)
    parts, backends["parts"] = run_stage(chosen, choice, learned, lambda: classical(img, fg, face, cancel=cancel))

    def parsed():
        from inference.segmentation.face_parsing import bisenet_parts

        return bisenet_parts(img, fg, face, parts, prefer_gpu=choice.prefer_gpu)

    chosen = resolve("face_parsing", choice, kind=face.kind)  # photos only; skipped when not cached
    parts, backends["face_parsing"] = run_stage(chosen, choice, parsed, lambda: parts)
    return parts


def _depth(img, fg, scene, tpl, choice, backends):
    """(template, note): the template with depth's draw order and parallax applied when the optional
    depth model ran (:mod:`inference.segmentation.depth`), else the template unchanged and ""."""
    from inference.backends import resolve, run_stage
    from inference.segmentation import depth

    def learned():
        d = depth.estimate_depth(img.rgba[..., :3], fg.alpha > 0.0, prefer_gpu=choice.prefer_gpu)
        report = depth.plan({n: s.order for n, s in tpl.layers.items()}, tpl.motion,
                            depth.layer_depths(d, scene.visible))
        log.info("depth: %s", report.summary())
        return depth.apply_to_template(tpl, report), report.summary()

    chosen = resolve("depth", choice)
    out, backends["depth"] = run_stage(chosen, choice, learned, lambda: (tpl, ""))
    return out


def _cut(scene, cancel, choice, backends, cut_scene):
    from inference.backends import resolve, run_stage
    from inference.layers import inpaint_learned

    def learned():
        name = chosen.models[0]
        with inpaint_learned.using(inpaint_learned.load_inpainter(name, prefer_gpu=choice.prefer_gpu)) as painter:
            layers = cut_scene(scene, cancel=cancel)
        log.info("completion: %d regions painted by %s", painter.calls, name)
        return layers

    chosen = resolve("completion", choice)
    layers, backends["completion"] = run_stage(chosen, choice, learned, lambda: cut_scene(scene, cancel=cancel))
    return layers


def _seed_everything(seed: int) -> None:
    np.random.seed(seed)  # noqa: NPY002 - legacy global RNG used by some OpenCV/numpy paths
    try:
        import cv2

        cv2.setRNGSeed(seed)
    except ImportError:
        pass
