"""Tracked face features -> standard Live2D parameter values (anchors.md §2, §3; models.md §1.6).

A :class:`ParameterMapper` turns each frame's :class:`FaceFeatures` into ``{parameter id: value}``:

1. calibrated image-frame signals (:func:`inference.tracking.calibration.image_sources`);
2. the **mirror** choice and character sides (below) give the *character-frame* sources;
3. each :class:`MappingRule` maps its source linearly from ``[in_min, in_max]`` to
   ``[out_min, out_max]`` (clamped unless ``clamp`` is False), like VTube Studio's per-parameter
   input/output ranges; an input range that starts above the neutral value is a dead zone;
4. an optional damped follow (``lag_s``, first-order lag) for the body parameters, then a One-Euro
   filter per parameter (:mod:`inference.tracking.filters`) driven by one 0..1 ``smoothing`` slider;
5. **dropout**: when the face is lost the last values are held for ``hold_s`` (0.5 s), then eased
   (smoothstep) to the neutral values over ``ease_s`` (1 s); filters restart from the shown values,
   so reacquiring the face does not jump.

**Mirror and L/R (decided here).** The character copies the view the user looks at, side for side.
``mirror=False``: that view is the frame as the source delivers it (a video file, or a camera shown
unmirrored): a face turning toward the image's right gives ``ParamAngleX`` > 0 (Live2D: head turns to
screen right), and the eye drawn on the image's right, which in an unmirrored camera image is the
user's *left* eye, drives ``ParamEyeLOpen`` (the character's left eye is on screen right): user's
left = character's left. ``mirror=True`` is the selfie view (the camera image flipped, as a webcam
preview and VTube Studio show it): yaw, roll and gaze x change sign and the eyes and brows swap, so the
user's left eye, which appears on screen left, drives ``ParamEyeROpen``; the character moves like the
user's mirror image. Hence tracking a horizontally flipped video with ``mirror=False`` gives the same
values as the original video with ``mirror=True``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

from inference.tracking.calibration import Calibration, calibrate, image_sources, is_finite_sources
from inference.tracking.features import FaceFeatures
from inference.tracking.filters import LagFilter, OneEuroFilter, one_euro_settings

#: Character-frame sources a rule may read, with their neutral (rest) values.
NEUTRAL_SOURCES: dict[str, float] = {
    "yaw": 0.0, "pitch": 0.0, "roll": 0.0,
    "eye_l": 1.0, "eye_r": 1.0, "gaze_x": 0.0, "gaze_y": 0.0,
    "brow_l": 0.0, "brow_r": 0.0, "mouth_open": 0.0, "mouth_form": 0.0,
}


@dataclass(slots=True)
class MappingRule:
    """One output parameter: ``source`` in ``[in_min, in_max]`` -> ``parameter_id`` in ``[out_min, out_max]``.

    Attributes
    ----------
    parameter_id : str
        Live2D parameter id (``ParamAngleX``).
    source : str
        A key of :data:`NEUTRAL_SOURCES` (character frame: ``eye_l`` is the character's left eye).
    in_min, in_max, out_min, out_max : float
        Linear map; ``in_min > in_max`` inverts.
    clamp : bool
        Clamp the output into ``[min(out), max(out)]``.
    smoothing_scale : float
        Multiplies the mapper's smoothing slider for this parameter (eyes use less, to keep blinks).
    lag_s : float
        Time constant of a damped follow applied before smoothing (0 = none); seconds.
    """

    parameter_id: str
    source: str
    in_min: float
    in_max: float
    out_min: float
    out_max: float
    clamp: bool = True
    smoothing_scale: float = 1.0
    lag_s: float = 0.0

    def __post_init__(self) -> None:
        if self.source not in NEUTRAL_SOURCES:
            raise ValueError(f"mapping rule for {self.parameter_id}: unknown source {self.source!r}; "
                             f"known: {', '.join(NEUTRAL_SOURCES)}")
        if self.in_min == self.in_max:
            raise ValueError(f"mapping rule for {self.parameter_id}: empty input range [{self.in_min}, {self.in_max}]")

    def apply(self, x: float) -> float:
        """Map one source value to the parameter value."""
        t = (float(x) - self.in_min) / (self.in_max - self.in_min)
        if self.clamp:
            t = min(max(t, 0.0), 1.0)
        return self.out_min + t * (self.out_max - self.out_min)

    @property
    def span(self) -> float:
        """``|out_max - out_min|`` (at least a tiny positive number): the filters' unit."""
        return max(abs(self.out_max - self.out_min), 1e-9)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping) -> MappingRule:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


def default_rules() -> list[MappingRule]:
    """The default table (models.md §1.6 "suggested mapping"; ranges from anchors.md §2)."""
    r = MappingRule
    return [
        r("ParamAngleX", "yaw", -30.0, 30.0, -30.0, 30.0),
        r("ParamAngleY", "pitch", -30.0, 30.0, -30.0, 30.0),
        r("ParamAngleZ", "roll", -30.0, 30.0, -30.0, 30.0),
        r("ParamBodyAngleX", "yaw", -30.0, 30.0, -9.0, 9.0, lag_s=0.3),
        r("ParamBodyAngleZ", "roll", -30.0, 30.0, -9.0, 9.0, lag_s=0.3),
        r("ParamEyeLOpen", "eye_l", 0.0, 1.0, 0.0, 1.0, smoothing_scale=0.4),
        r("ParamEyeROpen", "eye_r", 0.0, 1.0, 0.0, 1.0, smoothing_scale=0.4),
        r("ParamEyeBallX", "gaze_x", -0.6, 0.6, -1.0, 1.0),
        r("ParamEyeBallY", "gaze_y", -0.5, 0.5, -1.0, 1.0),
        r("ParamBrowLY", "brow_l", -0.5, 0.5, -1.0, 1.0),
        r("ParamBrowRY", "brow_r", -0.5, 0.5, -1.0, 1.0),
        # dead zone: below 0.06 the mouth stays shut. Full open at 0.55, measured on the driving clips
        # (scripts/measure_expressions.py): a wide "O" reaches 0.64-1.4, a big grin with the teeth apart
        # 0.31-0.36, speech 0.2-0.7; the old 0.85 gave the grin 0.3 and a wide "O" 0.77.
        r("ParamMouthOpenY", "mouth_open", 0.06, 0.55, 0.0, 1.0, smoothing_scale=0.6),
        r("ParamMouthForm", "mouth_form", -0.6, 0.6, -1.0, 1.0),
    ]


def _smoothstep(t: float) -> float:
    t = min(max(t, 0.0), 1.0)
    return t * t * (3.0 - 2.0 * t)


class ParameterMapper:
    """Maps :class:`FaceFeatures` to Live2D parameter values, frame by frame (see the module docstring).

    Parameters
    ----------
    rules : iterable of MappingRule, optional
        Default :func:`default_rules`. One rule per parameter id.
    smoothing : float
        0 (raw) .. 1 (very smooth); see :func:`inference.tracking.filters.one_euro_settings`.
    mirror : bool
        Selfie view (see the module docstring).
    link_eyes : bool
        When both eyes differ by less than ``link_threshold`` (openness), drive both with their mean
        (suppresses uneven squinting from noise; winks still pass).
    hold_s, ease_s : float
        Dropout: hold the last values, then ease to neutral over this long.
    calibration : Calibration, optional
        Default: population defaults (no neutral offset).

    Raises
    ------
    ValueError
        If two rules drive the same parameter.
    """

    def __init__(self, rules: Iterable[MappingRule] | None = None, smoothing: float = 0.5, mirror: bool = False,
                 link_eyes: bool = False, link_threshold: float = 0.3, hold_s: float = 0.5, ease_s: float = 1.0,
                 calibration: Calibration | None = None) -> None:
        self.rules = list(default_rules() if rules is None else rules)
        ids = [rule.parameter_id for rule in self.rules]
        if len(set(ids)) != len(ids):
            raise ValueError(f"each parameter may be driven by one rule only: {sorted({i for i in ids if ids.count(i) > 1})}")
        self.mirror = bool(mirror)
        self.link_eyes = bool(link_eyes)
        self.link_threshold = float(link_threshold)
        self.hold_s, self.ease_s = float(hold_s), float(ease_s)
        self.calibration = calibration or Calibration()
        self._smoothing = min(max(float(smoothing), 0.0), 1.0)
        self.reset()

    # ------------------------------------------------------------------ settings
    @property
    def smoothing(self) -> float:
        """The 0..1 smoothing slider; setting it keeps the filters' current values."""
        return self._smoothing

    @smoothing.setter
    def smoothing(self, value: float) -> None:
        self._smoothing = min(max(float(value), 0.0), 1.0)
        for rule in self.rules:
            self._configure(rule)

    @property
    def parameter_ids(self) -> list[str]:
        return [rule.parameter_id for rule in self.rules]

    def _configure(self, rule: MappingRule) -> None:
        settings = one_euro_settings(self._smoothing * rule.smoothing_scale)
        f = self._filters[rule.parameter_id]
        if settings is None:
            f.min_cutoff_hz, f.beta = math.inf, 0.0
        else:
            f.min_cutoff_hz, f.beta = settings

    def reset(self) -> None:
        """Forget filter state and dropout history (e.g. after a seek or a new source)."""
        self._filters = {rule.parameter_id: OneEuroFilter(1.0, 0.0) for rule in self.rules}
        self._lags = {rule.parameter_id: LagFilter(rule.lag_s) for rule in self.rules}
        for rule in self.rules:
            self._configure(rule)
        self._last: dict[str, float] | None = None
        self._last_seen_s = 0.0

    def calibrate(self, features: Iterable[FaceFeatures]) -> Calibration:
        """Store the neutral pose and open-eye / closed-mouth ratios from about a second of frames.

        Raises
        ------
        inference.tracking.calibration.CalibrationError
            If too few frames have a face.
        """
        self.calibration = calibrate(features)
        return self.calibration

    # ------------------------------------------------------------------ mapping
    def sources(self, features: FaceFeatures) -> dict[str, float]:
        """Character-frame source values for one frame with a face (mirror applied, not smoothed)."""
        s = image_sources(features, self.calibration)
        sign = -1.0 if self.mirror else 1.0
        # the character's left (screen right) is the image's right, or the image's left in a selfie view
        near, far = ("left", "right") if self.mirror else ("right", "left")
        out = {
            "yaw": sign * s["yaw"], "pitch": s["pitch"], "roll": sign * s["roll"],
            "eye_l": s[f"eye_image_{near}"], "eye_r": s[f"eye_image_{far}"],
            "gaze_x": sign * s["gaze_x"], "gaze_y": s["gaze_y"],
            "brow_l": s[f"brow_image_{near}"], "brow_r": s[f"brow_image_{far}"],
            "mouth_open": s["mouth_open"], "mouth_form": s["mouth_form"],
        }
        if self.link_eyes and abs(out["eye_l"] - out["eye_r"]) < self.link_threshold:
            out["eye_l"] = out["eye_r"] = 0.5 * (out["eye_l"] + out["eye_r"])
        return out

    def neutral_values(self) -> dict[str, float]:
        """Every rule's output at the neutral sources (eyes open, mouth shut, head straight)."""
        return {rule.parameter_id: rule.apply(NEUTRAL_SOURCES[rule.source]) for rule in self.rules}

    def update(self, features: FaceFeatures) -> dict[str, float]:
        """Parameter values for one frame (times from ``features.timestamp_ms``), smoothed.

        Returns
        -------
        dict of str to float
            One value per rule, in the parameter's units.
        """
        t_s = features.timestamp_ms / 1000.0
        src = self.sources(features) if features.found else None
        if src is None or not is_finite_sources(src):
            return self._dropout(t_s)
        values = {}
        for rule in self.rules:
            v = rule.apply(src[rule.source])
            if rule.lag_s > 0.0:
                v = self._lags[rule.parameter_id](v, t_s)
            values[rule.parameter_id] = self._filters[rule.parameter_id](v / rule.span, t_s) * rule.span
        self._last, self._last_seen_s = dict(values), t_s
        return values

    def _dropout(self, t_s: float) -> dict[str, float]:
        neutral = self.neutral_values()
        if self._last is None:
            values = neutral
        else:
            k = _smoothstep((t_s - self._last_seen_s - self.hold_s) / max(self.ease_s, 1e-9))
            values = {pid: v + (neutral[pid] - v) * k for pid, v in self._last.items()}
        for rule in self.rules:  # restart filters from what is shown, so reacquiring does not jump
            v = values[rule.parameter_id]
            self._lags[rule.parameter_id].reset(v, t_s)
            self._filters[rule.parameter_id].reset(v / rule.span, t_s)
        return values

    # ------------------------------------------------------------------ persistence
    def to_dict(self) -> dict:
        """Settings, rules and calibration as a JSON-ready dict."""
        return {
            "rules": [rule.to_dict() for rule in self.rules], "smoothing": self._smoothing,
            "mirror": self.mirror, "link_eyes": self.link_eyes, "link_threshold": self.link_threshold,
            "hold_s": self.hold_s, "ease_s": self.ease_s, "calibration": self.calibration.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> ParameterMapper:
        """Inverse of :meth:`to_dict` (missing keys take defaults)."""
        rules = [MappingRule.from_dict(r) for r in data["rules"]] if "rules" in data else None
        cal = Calibration.from_dict(data["calibration"]) if "calibration" in data else None
        kwargs = {k: data[k] for k in ("smoothing", "mirror", "link_eyes", "link_threshold", "hold_s", "ease_s") if k in data}
        return cls(rules, calibration=cal, **kwargs)
