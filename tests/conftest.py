"""Shared fixtures: paths to ../shared data and models, a headless GL context, Qt test mode."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SHARED_DATA = SHARED / "data"
SHARED_MODELS = SHARED / "models"

# Tests never touch the network or the user's cache: the model cache is ../shared/models.
os.environ.setdefault("KIRIE_MODEL_CACHE", str(SHARED_MODELS))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data, or skip with a reason (a user's fresh clone has no shared folder)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared test data not found at {SHARED_DATA} (only present on development machines)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def shared_models() -> Path:
    if not SHARED_MODELS.is_dir():
        pytest.skip(f"shared models not found at {SHARED_MODELS}")
    return SHARED_MODELS


@pytest.fixture(scope="session")
def gl_context():
    """One standalone EGL moderngl context for the whole run (Mesa llvmpipe without a GPU)."""
    moderngl = pytest.importorskip("moderngl")
    from app.render.offscreen import release_glx_current

    release_glx_current()  # a Qt widget's GLX context may be current on this thread
    try:
        ctx = moderngl.create_standalone_context(backend="egl")
    except Exception as exc:  # noqa: BLE001 - report why GL is unavailable
        pytest.skip(f"no headless EGL context: {exc}")
    yield ctx
    ctx.release()


@pytest.fixture()
def gl(gl_context):
    """The shared context, made current (other tests may have made another context current),
    checked for GL errors before and after the test, state reset."""
    from app.render.offscreen import make_current, release_current

    ctx = gl_context
    make_current(ctx)
    assert ctx.error == "GL_NO_ERROR"
    yield ctx
    make_current(ctx)
    assert ctx.error == "GL_NO_ERROR"
    ctx.disable(ctx.BLEND | ctx.DEPTH_TEST | ctx.CULL_FACE)
    ctx.blend_func = ctx.SRC_ALPHA, ctx.ONE_MINUS_SRC_ALPHA
    release_current(ctx)  # a thread holds one current context across EGL and GLX (libglvnd)


@pytest.fixture(autouse=True)
def _no_qt_context_left_current():
    """Qt's GL widgets may leave their (GLX) context current; headless EGL could not be made current
    on this thread then (libglvnd allows one current context per thread across APIs)."""
    yield
    import sys

    if "PySide6.QtGui" in sys.modules:
        from PySide6.QtGui import QOpenGLContext

        qt_ctx = QOpenGLContext.currentContext()
        if qt_ctx is not None:
            qt_ctx.doneCurrent()


def pytest_configure(config):
    try:
        from PySide6.QtCore import QStandardPaths

        QStandardPaths.setTestModeEnabled(True)
    except ImportError:
        pass


def pytest_sessionfinish(session, exitstatus):
    session.config._kirie_exitstatus = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """Leave without interpreter teardown once Qt has been used.

    PySide6 can crash while Python destroys its objects at exit (seen as ``Fatal Python error:
    bool_dealloc`` after every test had passed). The summary has been printed by now; exit with
    pytest's own status so a green run stays green and a red one stays red.
    """
    import sys

    status = getattr(config, "_kirie_exitstatus", None)
    if status is None or "PySide6.QtWidgets" not in sys.modules:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
