"""``kirie generate IMAGE|--sample -o OUT.kirie [--json] [--preview PNG]``: image → rigged project, headless."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("kirie.generate")

# Poses of the preview contact sheet: (label, parameter values)
PREVIEW_POSES: tuple[tuple[str, dict[str, float]], ...] = (
    ("rest", {}),
    ("AngleX +30", {"ParamAngleX": 30.0}),
    ("AngleX -30", {"ParamAngleX": -30.0}),
    ("AngleY +30", {"ParamAngleY": 30.0}),
    ("AngleZ +30", {"ParamAngleZ": 30.0}),
    ("eyes closed", {"ParamEyeLOpen": 0.0, "ParamEyeROpen": 0.0}),
    ("mouth open", {"ParamMouthOpenY": 1.0}),
    ("smile open", {"ParamMouthOpenY": 1.0, "ParamMouthForm": 1.0}),
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("image", nargs="?", help="PNG/JPEG/WebP of one character (anime illustration or real portrait)")
    p.add_argument("--sample", action="store_true", help="use the sample character shipped with Kirie instead of IMAGE")
    p.add_argument("-o", "--output", required=True, help="project file to write (.kirie)")
    p.add_argument("--json", action="store_true", help="print a JSON summary (stages with seconds, parts, ...)")
    p.add_argument("--preview", metavar="PNG", help="also render a contact sheet of the rest pose and key poses")
    p.add_argument("--seed", type=int, default=0, help="seed for the randomised stages (default 0)")
    p.add_argument("--template", default="default", help="rig template name or path (default: default)")
    p.add_argument("--no-learned", action="store_true", help="ignore downloaded models (same as --backend classical)")
    p.add_argument("--backend", choices=("classical", "learned", "auto"), default=None,
                   help="per-stage backend: classical (embedded), learned (downloaded models; stops with the "
                        "'kirie models pull NAME' line when one is missing) or auto (learned where a model is "
                        "cached and the device runs it, else classical; the default)")
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto",
                   help="where learned models run: auto (CUDA when onnxruntime offers it), cpu or cuda")
    p.add_argument("--face", type=int, metavar="N", default=None,
                   help="with several faces in the image, rig face N (0 = the largest, 1 = the next ...)")


def _progress_printer():
    last = [-1]

    def progress(fraction: float, stage: str) -> None:
        pct = int(fraction * 100)
        if pct != last[0] and sys.stderr.isatty():
            bar = "#" * (pct // 4)
            sys.stderr.write(f"\r[{bar:<25}] {pct:3d}% {stage:<12}")
            sys.stderr.flush()
        last[0] = pct

    return progress


def _check_outputs(args: argparse.Namespace, image: str) -> tuple[Path, Path | None]:
    """The project path (``.kirie`` appended when missing) and the preview path, checked before any work."""
    from app.cli.checks import UsageError, output_file, same_file

    out = Path(args.output)
    if out.suffix != ".kirie":
        out = out.with_suffix(".kirie")
    out = output_file(out, (".kirie",), "-o", inputs=(image,))
    preview = None
    if args.preview:
        preview = output_file(args.preview, (".png",), "--preview", inputs=(image,))
        if same_file(preview, out):
            raise UsageError(f"--preview {preview}: is the project file")
    if args.no_learned and args.backend not in (None, "classical"):
        raise UsageError(f"--no-learned contradicts --backend {args.backend}")
    if args.face is not None and args.face < 0:
        raise UsageError(f"--face: expected 0 (the largest face) or more, got {args.face}")
    return out, preview


def run(args: argparse.Namespace) -> int:
    from inference.pipeline import generate
    from rig.formats.project import save_project

    image = _input_image(args)
    out, preview = _check_outputs(args, image)
    backend = args.backend or ("classical" if args.no_learned else "auto")
    result = generate(image, progress=_progress_printer(), seed=args.seed, template=args.template,
                      face_index=args.face, backend=backend, device=args.device)
    if sys.stderr.isatty():
        sys.stderr.write("\n")
    for stage, used in result.backends.items():
        models = f" ({'+'.join(used.models)} on {used.provider})" if used.models else ""
        log.info("%s: %s backend%s: %s", stage, used.backend, models, used.reason)
    log.info("landmarks: %s (tried: %s)", result.detection, "; ".join(result.detectors_tried))
    for notice in result.notices:
        log.warning("%s", notice)
    out.parent.mkdir(parents=True, exist_ok=True)
    save_project(out, result.rig)
    summary = result.summary()
    summary["output"] = str(out)
    if preview is not None:
        sheet = sheet_rig(result.rig)
        result = None  # the full-resolution layers and source go before the preview's GL context
        preview.parent.mkdir(parents=True, exist_ok=True)
        write_contact_sheet(sheet, preview)
        summary["preview"] = str(preview)
        log.info("preview written to %s", preview)
    if args.json:
        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
    else:
        log.info(
            "wrote %s: %d layers, %d art meshes, %d vertices, %d deformers, %d parameters in %.2f s",
            out, len(summary["layers"]), summary["art_meshes"], summary["vertices"], summary["deformers"],
            len(summary["parameters"]), summary["total_s"],
        )
    return 0


def _input_image(args: argparse.Namespace) -> str:
    """IMAGE, or the shipped sample with ``--sample``; exits with a usage error for neither or both."""
    if args.sample == (args.image is not None):
        sys.stderr.write("kirie generate: give either IMAGE or --sample\n")
        raise SystemExit(2)
    if args.image is not None:
        return args.image
    from resources.sample import sample_image

    return str(sample_image())


@dataclass(frozen=True, slots=True)
class SheetRig:
    """What a contact sheet renders: ``rig`` with downscaled textures (:func:`preview_rig`), the
    render width (px, the whole canvas at the sheet's scale) and the crop box (x0, y0, x1, y1) in
    those render pixels. It holds no full-resolution image."""

    rig: object
    width_px: int
    crop: tuple[int, int, int, int]


def sheet_rig(rig, tile_px: int = 320) -> SheetRig:
    """The contact sheet of ``rig`` prepared: cropped to the head and upper body (:func:`head_box`),
    at the scale that makes that region about twice ``tile_px`` (never above one output pixel per
    canvas pixel), from layer textures downscaled to twice that scale, so memory follows the tile
    size, not the canvas."""
    cw, ch = rig.canvas_width_px, rig.canvas_height_px
    box = head_box(rig) or (0, 0, cw, ch)
    scale = min(1.0, 2 * tile_px / max(box[2] - box[0], box[3] - box[1], 1))
    width = max(1, round(cw * scale))
    sx, sy = width / cw, max(1, round(width * ch / cw)) / ch
    crop = (round(box[0] * sx), round(box[1] * sy), round(box[2] * sx), round(box[3] * sy))
    return SheetRig(preview_rig(rig, min(1.0, 2 * scale)), width, crop)


def write_contact_sheet(rig, path: Path, poses=PREVIEW_POSES, tile_px: int = 320) -> None:
    """Render ``poses`` of ``rig`` (a :class:`~rig.model.Rig`, or a :class:`SheetRig` from
    :func:`sheet_rig`) side by side on a checkerboard with labels; save a PNG atomically.

    A caller that can let go of the full-resolution rig prepares the :class:`SheetRig` first and
    drops the rig before this renders (``kirie generate --preview``: the GL context and the renders
    then come on top of tile-sized textures only, not of the canvas-sized layers and source).
    Poses are evaluated on the numpy path (``compile_plan(compiled=False)``: a few evaluations do
    not pay numba's import and compile).
    """
    from PIL import Image, ImageDraw

    from app.render.offscreen import render_to_array
    from rig.evaluate import compile_plan, evaluate
    from rig.formats.atomic import write_png_atomically

    sheet = rig if isinstance(rig, SheetRig) else sheet_rig(rig, tile_px)
    rig = sheet.rig
    plan = compile_plan(rig, compiled=False)
    x0, y0, x1, y1 = sheet.crop
    tiles = []
    for label, values in poses:
        vals = rig.default_values() | values
        rgba = render_to_array(evaluate(rig, vals, plan, gizmos=False), size=sheet.width_px)[y0:max(y1, y0 + 1), x0:max(x1, x0 + 1)]
        tile = _on_checker(rgba)
        tile.thumbnail((tile_px, tile_px))
        ImageDraw.Draw(tile).text((6, 4), label, fill=(20, 20, 20))
        tiles.append(tile)
    cols = 4
    rows = (len(tiles) + cols - 1) // cols
    w, h = max(t.width for t in tiles), max(t.height for t in tiles)
    page = Image.new("RGB", (cols * w, rows * h), (255, 255, 255))
    for i, t in enumerate(tiles):
        page.paste(t, ((i % cols) * w, (i // cols) * h))
    write_png_atomically(path, page)


def preview_rig(rig, texture_scale: float):
    """A shallow copy of ``rig`` whose layer images are downscaled by ``texture_scale`` (<= 1; area
    filter, straight alpha); meshes sample layers by uv, so geometry is unchanged. ``rig`` itself is
    left as it is; with ``texture_scale`` 1 it is returned unchanged."""
    if texture_scale >= 1.0:
        return rig
    import copy
    import dataclasses

    import cv2

    small = copy.copy(rig)
    small.layers = []
    for la in rig.layers:
        h, w = la.image.shape[:2]
        size = (max(1, round(w * texture_scale)), max(1, round(h * texture_scale)))
        small.layers.append(dataclasses.replace(la, image=cv2.resize(la.image, size, interpolation=cv2.INTER_AREA)))
    small.source = None
    return small


def head_box(rig, reach_fw: float = 1.6) -> tuple[int, int, int, int] | None:
    """Canvas px box (x0, y0, x1, y1) around the head: the face-skin mesh at rest grown by
    ``reach_fw`` face widths, clipped to the canvas; None when the rig has no face mesh."""
    face = next((m for m in rig.art_meshes if m.id == "ArtMeshFace"), None)
    if face is None:
        return None
    from rig.evaluate import evaluate

    pts = next(i.vertices_px for i in evaluate(rig, rig.default_values()).items if i.art_mesh_id == face.id)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    fw = float(hi[0] - lo[0])
    cx, cy = (lo + hi) / 2
    x0, x1 = max(0, int(cx - reach_fw * fw)), min(rig.canvas_width_px, int(cx + reach_fw * fw))
    y0, y1 = max(0, int(cy - 1.3 * fw)), min(rig.canvas_height_px, int(cy + 1.6 * fw))

    return (x0, y0, x1, y1) if x1 - x0 > 8 and y1 - y0 > 8 else None


def _on_checker(rgba):
    import numpy as np
    from PIL import Image

    h, w = rgba.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    checker = np.where(((xx // 16) + (yy // 16)) % 2 == 0, 235, 200).astype(np.float32)[..., None]
    a = rgba[..., 3:4].astype(np.float32) / 255.0
    rgb = rgba[..., :3].astype(np.float32) * a + checker * (1 - a)
    return Image.fromarray(rgb.clip(0, 255).astype(np.uint8))
