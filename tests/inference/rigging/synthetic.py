"""A synthetic character (landmarks, layers, meshes) for testing the template fit alone.

Face 200 px wide centred at (256, 230) on a 512x512 canvas; every layer is an opaque rectangle
meshed as a regular grid, so expected motions can be computed by hand.
"""

from __future__ import annotations

import numpy as np

from inference.types import CutLayer, EyeLandmarks, FaceLandmarks, LayerMesh, PartLabel

FW = 200.0
CX, CY = 256.0, 230.0


def _eye(cx: float) -> EyeLandmarks:
    box = (cx - 25.0, 215.0, 50.0, 30.0)
    xs = np.linspace(box[0], box[0] + box[2], 5)
    return EyeLandmarks((cx, 230.0), box, (cx, 232.0), 11.0,
                        np.stack([xs, np.full(5, 215.0)], 1).astype(np.float32),
                        np.stack([xs, np.full(5, 245.0)], 1).astype(np.float32))


def face() -> FaceLandmarks:
    t = np.linspace(0, 2 * np.pi, 32, endpoint=False)
    contour = np.stack([CX + 100 * np.cos(t), CY + 124 * np.sin(t)], 1).astype(np.float32)
    brow_l = np.array([[280, 195], [330, 195]], np.float32)
    brow_r = np.array([[182, 195], [232, 195]], np.float32)
    return FaceLandmarks(
        "anime", (CX - 100, CY - 124, 200.0, 248.0), contour, (CX, CY + 124), _eye(306.0), _eye(206.0),
        brow_l, brow_r, (CX, 265.0), (CX, 300.0), ((236.0, 300.0), (276.0, 300.0)), (231.0, 292.0, 50.0, 16.0),
        0.0, 1.0, "synthetic",
    )


# name: (label, x0, y0, x1, y1, colour)
BOXES = {
    "BackHair": (PartLabel.BACK_HAIR, 130, 80, 382, 420, (60, 40, 30)),
    "Body": (PartLabel.BODY, 120, 370, 392, 512, (50, 80, 160)),
    "Neck": (PartLabel.NECK, 220, 320, 292, 390, (240, 200, 180)),
    "Face": (PartLabel.FACE, 156, 106, 356, 354, (250, 215, 195)),
    "Nose": (PartLabel.NOSE, 250, 260, 262, 270, (220, 160, 150)),
    "Mouth": (PartLabel.MOUTH, 236, 297, 276, 303, (150, 40, 40)),
    "MouthInterior": (None, 236, 292, 276, 308, (90, 20, 30)),
    "EyeWhiteL": (PartLabel.EYE_WHITE_L, 281, 215, 331, 245, (255, 255, 255)),
    "EyeWhiteR": (PartLabel.EYE_WHITE_R, 181, 215, 231, 245, (255, 255, 255)),
    "IrisL": (PartLabel.IRIS_L, 296, 220, 316, 244, (40, 90, 200)),
    "IrisR": (PartLabel.IRIS_R, 196, 220, 216, 244, (40, 90, 200)),
    "LashUpperL": (PartLabel.LASH_L, 279, 210, 333, 218, (20, 20, 20)),
    "LashUpperR": (PartLabel.LASH_R, 179, 210, 233, 218, (20, 20, 20)),
    "LidLineL": (None, 281, 234, 331, 238, (20, 20, 20)),
    "LidLineR": (None, 181, 234, 231, 238, (20, 20, 20)),
    "BrowL": (PartLabel.BROW_L, 280, 190, 330, 198, (60, 40, 30)),
    "BrowR": (PartLabel.BROW_R, 182, 190, 232, 198, (60, 40, 30)),
    "FrontHair": (PartLabel.FRONT_HAIR, 150, 90, 362, 190, (70, 50, 40)),
}


def layers_and_meshes(step: float = 8.0) -> tuple[list[CutLayer], list[LayerMesh]]:
    layers, meshes = [], []
    for name, (label, x0, y0, x1, y1, colour) in BOXES.items():
        w, h = x1 - x0, y1 - y0
        img = np.zeros((h, w, 4), np.uint8)
        img[..., :3] = colour
        img[..., 3] = 255
        layers.append(CutLayer(name, label, img, (float(x0), float(y0)), np.ones((h, w), bool)))
        nx, ny = max(2, int(w / step) + 1), max(2, int(h / step) + 1)
        u, v = np.meshgrid(np.linspace(0, 1, nx), np.linspace(0, 1, ny))
        uvs = np.stack([u.ravel(), v.ravel()], 1).astype(np.float32)
        verts = (np.array([x0, y0]) + uvs * np.array([w, h])).astype(np.float32)
        tris = []
        for j in range(ny - 1):
            for i in range(nx - 1):
                a = j * nx + i
                tris += [[a, a + 1, a + nx], [a + 1, a + nx + 1, a + nx]]
        meshes.append(LayerMesh(name, verts, uvs, np.asarray(tris, np.uint16)))
    return layers, meshes
