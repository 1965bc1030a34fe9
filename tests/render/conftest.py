"""Render tests: the shared ``gl`` context, made current first.

Another test in the same run may have created the process-wide standalone context
(``app.render.offscreen.standalone_context``, e.g. through ``render_to_array()`` without ``ctx``);
creating a standalone context makes it current, so ``gl`` is made current again here.
"""

from __future__ import annotations

import pytest


@pytest.fixture()
def gl(gl):
    from app.render.offscreen import make_current

    make_current(gl)
    return gl
