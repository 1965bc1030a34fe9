"""The template adapts to the proportions it finds (issue 14): a chibi's face turns inside its head
outline; realistic characters keep the template's keyforms."""

from __future__ import annotations

import numpy as np
import pytest

from inference.rigging import build_rig, load_template
from inference.rigging.proportions import chibi_degree, fit_template, measure_proportions
from rig.evaluate import evaluate

FEATURES = ("EyeWhite", "Iris", "LashUpper", "Brow", "LipUpper", "LipLower", "Nose")
TURNS = ({"ParamAngleX": 30.0}, {"ParamAngleX": -30.0}, {"ParamAngleY": 30.0}, {"ParamAngleY": -30.0})


def _inputs(which: str):
    from inference.layers.cut import cut_layers
    from inference.meshing.meshes import mesh_layers
    from tests.inference.character import synthetic_character, synthetic_chibi

    img, fg, face, parts = (synthetic_chibi if which == "chibi" else synthetic_character)(512)
    layers = cut_layers(img, fg, face, parts)
    return img, face, layers, mesh_layers(layers, face_width_px=face.face_width_px)


@pytest.fixture(scope="module")
def chibi():
    img, face, layers, meshes = _inputs("chibi")
    return face, layers, build_rig(load_template(), face, layers, meshes, img.size_px, name="chibi")


def _verts(rig, values=None):
    return {it.art_mesh_id: it.vertices_px for it in evaluate(rig, rig.default_values() | (values or {})).items}


def test_proportions_tell_a_chibi_from_a_realistic_bust():
    img, face, layers, _ = _inputs("realistic")
    p = measure_proportions(face, layers, img.size_px)
    cfg = load_template().motion["proportions"]
    assert p.face_aspect > 1.1 and chibi_degree(p, cfg) == 0.0
    tpl = load_template()
    assert fit_template(tpl, face, p) is tpl, "realistic proportions keep the template as it is"
    img, face, layers, _ = _inputs("chibi")
    p = measure_proportions(face, layers, img.size_px)
    assert p.full_figure and 0.5 < p.head_ratio < 0.7, p  # the head is about half the figure
    assert p.face_aspect < 0.9 and p.body_width_fw < 1.0
    assert chibi_degree(p, cfg) == 1.0


def test_chibi_head_pivot_sits_at_the_jaw(chibi):
    face, layers, _ = chibi
    tpl = load_template()
    m = fit_template(tpl, face, measure_proportions(face, layers, (512, 512))).motion
    x, y, w, h = face.face_box
    pivot_y = y + h / 2 + m["head_pivot_below_centre_fw"] * w
    assert face.mouth_center[1] < pivot_y < face.chin[1], "between the mouth and the chin, not in the neck"
    unfitted = y + h / 2 + tpl.motion["head_pivot_below_centre_fw"] * w
    assert unfitted > face.chin[1], "the realistic pivot would lie below a chibi's chin"
    assert m["body_z"]["pivot_below_centre_fw"] * w + y + h / 2 < 512, "the body leans about its hips, on the canvas"
    assert [s["length"] for s in fit_template(tpl, face, measure_proportions(face, layers, (512, 512))).physics] < \
        [s["length"] for s in tpl.physics], "short chibi hair swings on shorter pendulums"


@pytest.mark.parametrize("pose", TURNS, ids=lambda p: f"{next(iter(p))[5:]}{next(iter(p.values())):+.0f}")
def test_chibi_face_turns_inside_its_head_outline(pose, chibi):
    """Features stay inside the posed face outline with a margin, the outline moves under half
    as far as the features (0.33x on AngleX, 0.43x on AngleY -30; 0.61x and 0.83x before the fit),
    the face stays inside the rest head."""
    import cv2

    _, _, rig = chibi
    rest, posed = _verts(rig), _verts(rig, pose)
    fw = float(np.ptp(rest["ArtMeshFace"][:, 0]))
    feats = [k for k in posed if any(k.startswith("ArtMesh" + f) for f in FEATURES)]
    assert len(feats) >= 8
    axis = 0 if "ParamAngleX" in pose else 1
    shift = np.mean([np.abs(posed[k][:, axis] - rest[k][:, axis]).mean() for k in feats]) / fw
    assert 0.05 < shift < 0.12, f"feature shift {shift:.3f} FW"
    face_rest, face_pose = rest["ArtMeshFace"][:, axis], posed["ArtMeshFace"][:, axis]
    outline = max(abs(face_pose.max() - face_rest.max()), abs(face_pose.min() - face_rest.min())) / fw
    assert outline < 0.5 * shift, f"outline {outline:.3f} FW vs features {shift:.3f} FW"
    hull = cv2.convexHull(posed["ArtMeshFace"].astype(np.float32))
    margin = min(cv2.pointPolygonTest(hull, (float(x), float(y)), True) for k in feats for x, y in posed[k])
    assert margin > 0.05 * fw, f"a feature comes within {margin / fw:.3f} FW of the face outline"
    head = np.concatenate([rest[k] for k in ("ArtMeshBackHair", "ArtMeshFrontHair", "ArtMeshFace")])
    head_hull = cv2.convexHull(head.astype(np.float32))
    assert min(cv2.pointPolygonTest(head_hull, (float(x), float(y)), True) for x, y in posed["ArtMeshFace"]) > 0


def _union_rows_and_width(layers, shape, y):
    """The definition: the layers' visible masks placed on a canvas-sized union mask."""
    union = np.zeros(shape, bool)
    for la in layers:
        m, (x0, y0) = la.visible_mask, (int(la.origin_px[0]), int(la.origin_px[1]))
        xa, ya = max(0, x0), max(0, y0)
        xb, yb = min(shape[1], x0 + m.shape[1]), min(shape[0], y0 + m.shape[0])
        if xb > xa and yb > ya:
            union[ya:yb, xa:xb] |= m[ya - y0 : yb - y0, xa - x0 : xb - x0]
    xs = np.nonzero(union[int(np.clip(round(y), 0, shape[0] - 1))])[0]
    return np.nonzero(union.any(axis=1))[0], float(xs.max() - xs.min() + 1) if len(xs) else 0.0


def test_silhouette_without_canvas_masks_equals_the_union_mask():
    """The proportions' rows and row widths, taken layer by layer (no canvas-sized array: an 8192 px
    rig's masks would need 64 MB per union), equal the union mask's, for layers that reach past every
    canvas edge, lie wholly outside it or are empty."""
    from inference.rigging.proportions import _Silhouette
    from inference.types import CutLayer

    rng = np.random.default_rng(7)
    shape = (90, 120)
    for _ in range(40):
        layers = []
        for _ in range(int(rng.integers(1, 5))):
            h, w = (int(v) for v in rng.integers(1, 80, 2))
            mask = rng.random((h, w)) < rng.choice([0.0, 0.01, 0.3])
            origin = (float(rng.integers(-60, 140)), float(rng.integers(-60, 110)))
            layers.append(CutLayer("BackHair", None, np.zeros((h, w, 4), np.uint8), origin, mask))
        y = float(rng.integers(-5, 95))
        rows, width = _union_rows_and_width(layers, shape, y)
        s = _Silhouette(layers, shape)
        np.testing.assert_array_equal(s.rows(), rows)
        assert s.row_width(y) == width
