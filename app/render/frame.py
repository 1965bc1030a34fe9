"""Per-frame data shared by the render passes, and the Cubism blend functions.

Blend functions (premultiplied source and destination; Cubism SDK for Native,
``CubismRenderer_OpenGLES2::DrawMesh``; written as ``glBlendFuncSeparate(srcRGB, dstRGB, srcA, dstA)``):

==============  =================================================  =====================================
mode            function                                           result
==============  =================================================  =====================================
normal          ``ONE, ONE_MINUS_SRC_ALPHA, ONE, ONE_MINUS_SRC_ALPHA``  ``d = s + d (1 - s.a)`` (over)
additive        ``ONE, ONE, ZERO, ONE``                             ``d.rgb = s.rgb + d.rgb``, ``d.a`` kept
multiplicative  ``DST_COLOR, ONE_MINUS_SRC_ALPHA, ZERO, ONE``       ``d.rgb = s.rgb d.rgb + d.rgb (1 - s.a)``,
                                                                   ``d.a`` kept
==============  =================================================  =====================================

Additive and multiplicative items never change the destination alpha, as in Cubism: over a
transparent background they leave no trace in the output.
"""

from __future__ import annotations

from dataclasses import dataclass

import moderngl

from app.render.view import View
from rig.evaluate.types import EvaluatedRig

BLEND_FUNCS: dict[str, tuple[int, int, int, int]] = {
    "normal": (moderngl.ONE, moderngl.ONE_MINUS_SRC_ALPHA, moderngl.ONE, moderngl.ONE_MINUS_SRC_ALPHA),
    "additive": (moderngl.ONE, moderngl.ONE, moderngl.ZERO, moderngl.ONE),
    "multiplicative": (moderngl.DST_COLOR, moderngl.ONE_MINUS_SRC_ALPHA, moderngl.ZERO, moderngl.ONE),
}
# Masks combine as a union of coverages: c = a + c (1 - a) in every channel.
MASK_UNION_FUNC = (moderngl.ONE, moderngl.ONE_MINUS_SRC_COLOR)

# A set of mask art-mesh ids, sorted, duplicates removed: one mask texture per distinct key.
MaskKey = tuple[str, ...]


def mask_key(mask_ids: tuple[str, ...]) -> MaskKey:
    """The canonical key of a set of mask ids (order and repeats do not matter)."""
    return tuple(sorted(set(mask_ids)))


@dataclass(frozen=True, slots=True, eq=False)
class Frame:
    """What one ``Renderer.render`` call draws.

    Attributes
    ----------
    evaluated : EvaluatedRig
    view : View
        Canvas px to the target's viewport; ``view.viewport_size_px`` equals the target's size.
    framebuffer : moderngl.Framebuffer
        The premultiplied RGBA target.
    index : int
        Frame counter (caches use it to find idle entries).
    wireframe, gizmos : bool
        Draw the triangle edges of every item / the deformer gizmos on top.
    """

    evaluated: EvaluatedRig
    view: View
    framebuffer: moderngl.Framebuffer
    index: int
    wireframe: bool = False
    gizmos: bool = False
