"""The sample character shipped with Kirie (``resources/samples/``, source and licence in its README)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

SAMPLE_NAME = "tadne_r1c0.png"


def sample_image() -> Path:
    """Path of the shipped sample character, a 512×512 RGB PNG (TADNE face, MIT).

    Raises
    ------
    FileNotFoundError
        If the installed package lacks it (a stripped build).
    """
    path = Path(str(resources.files("resources") / "samples" / SAMPLE_NAME))
    if not path.is_file():
        raise FileNotFoundError(f"the sample character {path} is missing from this installation of Kirie")
    return path
