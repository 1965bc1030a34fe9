"""The tool protocol of the viewport (style.md 3 "Gestures", 5 "Handles").

A tool receives mouse and key events with canvas-px positions, changes only **preview state** while
a gesture is in progress, and on release pushes **one command** through ``bridge.push``. Esc (or a
right click) during a drag restores the preview and pushes nothing. ``overlay_shapes`` says what to
draw on top of the art (handles, selection, brush outline) in canvas px.

The viewport keeps panning (middle drag, Space + drag) and zoom (wheel) for itself and forwards
everything else to the active tool; with no tool, a left click selects the topmost art mesh.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal

if TYPE_CHECKING:
    from app.bridge import DocumentBridge
    from app.render.shapes import OverlayShapes
    from app.viewport.viewport import Viewport
    from rig.evaluate.types import EvaluatedRig


class Tool(QObject):
    """Base class of viewport tools.

    Subclasses override the ``*_event`` methods they need and return True when they handled the
    event. Positions are canvas px (origin top-left, +y down) as floats.

    Signals
    -------
    overlay_changed()
        The overlay must be redrawn (the viewport calls ``update()``).
    status(str)
        A short message for the status bar.
    """

    name = "tool"
    overlay_changed = Signal()
    status = Signal(str)

    def __init__(self, viewport: Viewport, bridge: DocumentBridge) -> None:
        super().__init__(viewport)
        self.viewport = viewport
        self.bridge = bridge

    # ---------------------------------------------------------------- life cycle
    def activate(self) -> None:
        """Called when the tool becomes the active one."""

    def deactivate(self) -> None:
        """Called when another tool (or none) becomes active; abandon any gesture in progress."""
        self.cancel_gesture()

    def cancel_gesture(self) -> None:
        """Restore the preview of a gesture in progress; push nothing."""

    # ---------------------------------------------------------------- events
    def press_event(self, pos_px: tuple[float, float], button: Qt.MouseButton, modifiers: Qt.KeyboardModifier) -> bool:
        return False

    def move_event(self, pos_px: tuple[float, float], buttons: Qt.MouseButton, modifiers: Qt.KeyboardModifier) -> bool:
        return False

    def release_event(self, pos_px: tuple[float, float], button: Qt.MouseButton, modifiers: Qt.KeyboardModifier) -> bool:
        return False

    def double_click_event(self, pos_px: tuple[float, float], button: Qt.MouseButton,
                           modifiers: Qt.KeyboardModifier) -> bool:
        """A double click (it replaces the second press); unhandled ones arrive as ``press_event``."""
        return False

    def key_event(self, key: int, modifiers: Qt.KeyboardModifier) -> bool:
        """Key presses; the default handles Esc by cancelling the gesture."""
        if key == Qt.Key.Key_Escape:
            self.cancel_gesture()
            self.overlay_changed.emit()
            return True
        return False

    # ---------------------------------------------------------------- drawing
    def preview(self, evaluated: EvaluatedRig) -> EvaluatedRig:
        """The evaluated rig as it should be drawn during a gesture (default: unchanged)."""
        return evaluated

    def overlay_shapes(self, evaluated: EvaluatedRig) -> OverlayShapes | None:
        """Handles and outlines to draw over the art, or None."""
        return None

    # ---------------------------------------------------------------- helpers
    def pixels_per_canvas_px(self) -> float:
        """Viewport zoom: screen px per canvas px (for hit radii given in screen px)."""
        return float(self.viewport.view.zoom)
