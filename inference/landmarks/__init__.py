"""Stage 3, landmarks: find the face and fill every :class:`FaceLandmarks` field.

Order of detectors (each on the working copy, results mapped to canvas px):

1. ``animeface`` on the working copy (<= 1024 px). A face here is anime.
2. ``mediapipe`` FaceLandmarker with the plausibility gate of :mod:`inference.landmarks.real`
   (rejects the dog of the test portraits). A face here is real.
3. ``animeface`` again on copies of 512, 384, 320 and 256 px: animeface misses some faces at one scale
   and finds them at another (tadne_r5c4, hair over one eye, only at 320 px). It also fires on some
   photographs at small scales, which is why it comes after MediaPipe. It also runs when MediaPipe's face
   has a drawing's sharp edges (:mod:`inference.landmarks.style`: tadne_r1c2, an anime face the mesh
   fits, found by animeface at 384 px); a drawn face animeface does not find stays MediaPipe's.

:func:`find_face` returns the face and a log of what was tried (for ``NoFaceFoundError``);
:func:`detect_face` returns just the face.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from inference.landmarks.geometry import scale_landmarks
from inference.load import working_copy
from inference.masks import resize_mask
from inference.types import CancelToken, FaceLandmarks, Foreground, LoadedImage

log = logging.getLogger(__name__)

DETECTORS = ("animeface", "mediapipe")
RETRY_SIDES_PX = (512, 384, 320, 256)


@dataclass(slots=True)
class FaceSearch:
    """Result of :func:`find_face`: ``face`` (canvas px) or None, and one line per detector run."""

    face: FaceLandmarks | None
    tried: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # for the user: "3 faces found; rigging the largest ..."
    detector: str = ""  # the run that found ``face``: "animeface at 1024 px", "mediapipe FaceLandmarker"

    def summary(self) -> str:
        """One sentence for a ``NoFaceFoundError`` message."""
        return "; ".join(self.tried) if self.tried else "no detector ran"

    def report(self) -> str:
        """Which detector found the face and what kind it is rigged as: "anime face found by animeface at
        512 px" (:meth:`summary` lists every run)."""
        if self.face is None:
            return f"no face found (tried: {self.summary()})"
        return f"{self.face.kind} face found by {self.detector}"


def detect_face(img: LoadedImage, fg: Foreground, cancel: CancelToken | None = None) -> FaceLandmarks | None:
    """The character's face in canvas px, or None (the caller raises ``NoFaceFoundError`` with
    :func:`find_face`'s summary). See :func:`find_face`."""
    return find_face(img, fg, cancel).face


def find_face(img: LoadedImage, fg: Foreground, cancel: CancelToken | None = None,
              face_index: int | None = None) -> FaceSearch:  # fmt: skip
    """Run the detectors in order (module docstring) and refine the first plausible face.

    Parameters
    ----------
    img : LoadedImage
    fg : Foreground
        Used to keep colour sampling on the character.
    cancel : CancelToken, optional
    face_index : int, optional
        With several faces, which one to rig: 0 = the largest box (the default), 1 = the next ...
        Several faces without ``face_index`` add a notice saying the largest was taken.

    Raises
    ------
    NoFaceFoundError
        ``face_index`` is past the faces found.

    Returns
    -------
    FaceSearch
        ``face`` in canvas px (deterministic for a given image) and ``tried``, e.g.
        ``["animeface: no face at 1024 px", "mediapipe: rejected (mesh not mirror consistent ...)"]``.
    """
    from inference.landmarks import anime, real

    small, s = working_copy(img.rgba)
    rgb = np.ascontiguousarray(small[..., :3])
    h, w = rgb.shape[:2]
    fgm = resize_mask(fg.alpha, (w, h)) > 0.5
    search = FaceSearch(face=None)
    side = max(h, w)
    index = face_index or 0
    raw = anime.run_animeface(rgb, side, index)
    search.tried.append(f"animeface at {side} px: {'face' if raw else 'no face'}")
    if raw is None:
        if cancel:
            cancel.check()
        try:
            mesh = real.run_mesh(rgb, index)
        except FileNotFoundError:
            mesh = None
            search.tried.append(f"mediapipe: skipped ({real.MODEL} is not in the model cache)")
        else:
            if mesh is None:
                search.tried.append("mediapipe: no face")
            else:
                search.tried.append(f"mediapipe: {'face' if mesh.accepted else 'rejected'} ({mesh.reason})")
        drawn = mesh is not None and mesh.accepted and _drawn(rgb, mesh, search)
        if mesh is not None and mesh.accepted and not drawn:
            return _mesh_face(search, mesh, s, face_index)
        for retry in (r for r in RETRY_SIDES_PX if r < side):
            if cancel:
                cancel.check()
            raw = anime.run_animeface(rgb, retry, index)
            search.tried.append(f"animeface at {retry} px: {'face' if raw else 'no face'}")
            if raw is not None:
                side = retry
                break
        if raw is None and drawn:  # animeface does not find the drawn face: the mesh's face it is
            return _mesh_face(search, mesh, s, face_index)
        if raw is not None and not drawn:
            search.notices.append(_anime_fallback_notice(mesh, side, skipped="skipped" in search.tried[1]))
    if raw is None:
        return search
    search.detector = f"animeface at {side} px"
    _choice(search, raw.faces_found, raw.index, face_index)
    if cancel:
        cancel.check()
    face = anime.anime_landmarks(rgb, fgm if fgm.any() else np.ones_like(fgm), raw, cancel)
    search.face = scale_landmarks(face, 1.0 / s)
    return search


def _mesh_face(search: FaceSearch, mesh, s: float, face_index: int | None) -> FaceSearch:
    """``search`` with MediaPipe's ``mesh`` (working px, ``s`` = working / canvas scale) as its face."""
    from inference.landmarks import real

    _choice(search, mesh.faces_found, mesh.index, face_index)
    search.face = scale_landmarks(real.real_landmarks(mesh), 1.0 / s)
    search.detector = "mediapipe FaceLandmarker"
    return search


def _drawn(rgb: np.ndarray, mesh, search: FaceSearch) -> bool:
    """Whether the face MediaPipe accepted has a drawing's edges (:mod:`inference.landmarks.style`); says so
    in ``search.tried``. A drawn face is looked for again with animeface at the retry sizes."""
    from inference.landmarks import style

    sharp = style.edge_sharpness(rgb, style.mesh_box(mesh.points))
    drawn = sharp >= style.DRAWN_SHARPNESS
    if drawn:
        search.tried.append(f"edges drawn (sharpness {sharp:.2f} >= {style.DRAWN_SHARPNESS}): looked at as anime")
    return drawn


def _anime_fallback_notice(mesh, side: int, skipped: bool) -> str:
    """What the user is told when only the anime detector's retry at ``side`` px found the face: it fires
    on some photographs, so the rig may be an anime rig of a real person. ``mesh`` is the MediaPipe result
    (None: no face, or ``skipped`` because the model is not installed)."""
    from inference.landmarks import real

    found = f"The face was found only by the anime detector (animeface at {side} px) and is rigged as an anime face."
    if skipped:
        return (f"{found} The real-face model ({real.MODEL}) is not installed, so a photo of a real person "
                "cannot be recognised as one: run 'kirie models pull face_landmarker' and generate again.")
    if mesh is None:
        return (f"{found} The real-face detector found no face; if this is a photo, a larger, sharper, "
                "front-facing portrait gives a real-face rig.")
    return (f"{found} The real-face detector rejected its face ({mesh.reason}); if this is a photo, a larger, "
            "front-facing portrait with the whole face visible gives a real-face rig.")


def _choice(search: FaceSearch, found: int, index: int, requested: int | None) -> None:
    """Refuse a ``requested`` face past the ``found`` ones; say which face is rigged when there are several."""
    from rig.errors import NoFaceFoundError

    if requested is not None and requested >= found:
        raise NoFaceFoundError(
            f"--face {requested}: only {found} face{'s' if found > 1 else ''} found (numbered 0 to {found - 1}, "
            "largest first)"
        )
    if found > 1:
        which = "the largest" if index == 0 else f"face {index}"
        note = f"{found} faces found; rigging {which} (numbered by size, largest first; choose with --face N)"
        search.notices.append(note)
        log.info(note)
