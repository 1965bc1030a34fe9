"""Stage 7 of generation: fit a declarative rig template to one character (and its physics)."""

from inference.rigging.build import build_rig
from inference.rigging.template import Template, load_template

__all__ = ["Template", "build_rig", "load_template"]
