"""Run the Cubism Core (inside ``live2d-py``) on one ``.moc3`` through ctypes; print one JSON line.

Test-only oracle (cubism-formats.md 4.2): run as a **subprocess**, because a file that passes the
consistency check can still crash the process. Never imported by application code; it only locates
``live2d/_live2d.so`` and never imports the ``live2d`` package.

Usage: ``python core_probe.py MOC3 POSES_JSON OUT_JSON`` where POSES_JSON is a list of
``{parameter_id: value}`` dicts. OUT_JSON receives ``{"version", "consistent", "log", "canvas",
"parameters", "parts", "drawables", "poses": [...]}``; vertex positions are returned as the Core gives
them (model units, **y up**). With ``--time N`` the probe also times N ``csmUpdateModel`` calls
(``update_s``, mean seconds; every parameter changes between calls, set in Python each time).
"""

from __future__ import annotations

import ctypes as C
import importlib.util
import json
import os
import sys
import time

_P, _F, _I, _U = C.c_void_p, C.c_float, C.c_int, C.c_uint


def load_core() -> C.CDLL:
    spec = importlib.util.find_spec("live2d")
    if spec is None or spec.origin is None:
        raise SystemExit("live2d-py is not installed")
    lib = C.CDLL(os.path.join(os.path.dirname(spec.origin), "_live2d.so"))
    sig = {
        "csmGetVersion": (_U, []), "csmGetMocVersion": (_U, [_P, _U]), "csmHasMocConsistency": (_I, [_P, _U]),
        "csmReviveMocInPlace": (_P, [_P, _U]), "csmGetSizeofModel": (_U, [_P]),
        "csmInitializeModelInPlace": (_P, [_P, _P, _U]), "csmUpdateModel": (None, [_P]),
        "csmReadCanvasInfo": (None, [_P, C.POINTER(_F * 2), C.POINTER(_F * 2), C.POINTER(_F)]),
        "csmGetParameterCount": (_I, [_P]), "csmGetParameterIds": (C.POINTER(C.c_char_p), [_P]),
        "csmGetParameterMinimumValues": (C.POINTER(_F), [_P]), "csmGetParameterMaximumValues": (C.POINTER(_F), [_P]),
        "csmGetParameterDefaultValues": (C.POINTER(_F), [_P]), "csmGetParameterValues": (C.POINTER(_F), [_P]),
        "csmGetParameterKeyCounts": (C.POINTER(_I), [_P]), "csmGetParameterKeyValues": (C.POINTER(C.POINTER(_F)), [_P]),
        "csmGetPartCount": (_I, [_P]), "csmGetPartIds": (C.POINTER(C.c_char_p), [_P]),
        "csmGetPartOpacities": (C.POINTER(_F), [_P]), "csmGetPartParentPartIndices": (C.POINTER(_I), [_P]),
        "csmGetDrawableCount": (_I, [_P]), "csmGetDrawableIds": (C.POINTER(C.c_char_p), [_P]),
        "csmGetDrawableVertexCounts": (C.POINTER(_I), [_P]),
        "csmGetDrawableVertexPositions": (C.POINTER(C.POINTER(_F)), [_P]),
        "csmGetDrawableVertexUvs": (C.POINTER(C.POINTER(_F)), [_P]),
        "csmGetDrawableIndexCounts": (C.POINTER(_I), [_P]), "csmGetDrawableIndices": (C.POINTER(C.POINTER(C.c_ushort)), [_P]),
        "csmGetDrawableOpacities": (C.POINTER(_F), [_P]), "csmGetDrawableDrawOrders": (C.POINTER(_I), [_P]),
        "csmGetRenderOrders": (C.POINTER(_I), [_P]), "csmGetDrawableTextureIndices": (C.POINTER(_I), [_P]),
        "csmGetDrawableMaskCounts": (C.POINTER(_I), [_P]), "csmGetDrawableMasks": (C.POINTER(C.POINTER(_I)), [_P]),
        "csmGetDrawableConstantFlags": (C.POINTER(C.c_ubyte), [_P]), "csmGetDrawableDynamicFlags": (C.POINTER(C.c_ubyte), [_P]),
        "csmGetDrawableMultiplyColors": (C.POINTER(_F), [_P]), "csmGetDrawableScreenColors": (C.POINTER(_F), [_P]),
        "csmGetDrawableParentPartIndices": (C.POINTER(_I), [_P]),
    }  # fmt: skip
    for name, (res, args) in sig.items():
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = res, args
    return lib


def aligned(size: int, align: int):
    raw = C.create_string_buffer(size + align)
    addr = (C.addressof(raw) + align - 1) // align * align
    return raw, addr


def main(argv: list[str]) -> int:
    moc_path, poses_path, out_path = argv[1:4]
    n_time = int(argv[argv.index("--time") + 1]) if "--time" in argv else 0
    lib = load_core()
    log: list[str] = []
    cb = C.CFUNCTYPE(None, C.c_char_p)(lambda m: log.append(m.decode("utf-8", "replace")))
    lib.csmSetLogFunction.argtypes = [C.CFUNCTYPE(None, C.c_char_p)]
    lib.csmSetLogFunction(cb)
    data = open(moc_path, "rb").read()
    raw, addr = aligned(len(data), 64)
    C.memmove(addr, data, len(data))
    out: dict = {"version": lib.csmGetMocVersion(addr, len(data)), "consistent": lib.csmHasMocConsistency(addr, len(data))}
    if out["consistent"] != 1:
        out["log"] = log
        json.dump(out, open(out_path, "w"))
        return 0
    moc = lib.csmReviveMocInPlace(addr, len(data))
    size = lib.csmGetSizeofModel(moc)
    mraw, maddr = aligned(size, 16)
    model = lib.csmInitializeModelInPlace(moc, maddr, size)
    _describe(lib, model, out)
    values = lib.csmGetParameterValues(model)
    index = {pid: i for i, pid in enumerate(out["parameters"]["ids"])}
    defaults = out["parameters"]["default"]
    out["poses"] = []
    for pose in json.load(open(poses_path)):
        for i, d in enumerate(defaults):
            values[i] = d
        for pid, v in pose.items():
            values[index[pid]] = v
        lib.csmUpdateModel(model)
        out["poses"].append(_state(lib, model, out["drawables"]["vertex_counts"]))
    if n_time:
        t0 = time.perf_counter()
        lo, hi = out["parameters"]["min"], out["parameters"]["max"]
        for k in range(n_time):  # every parameter changes every update: no work can be skipped
            for i in range(len(defaults)):
                values[i] = lo[i] + (hi[i] - lo[i]) * (0.3 + 0.4 * (k % 2))
            lib.csmUpdateModel(model)
        out["update_s"] = (time.perf_counter() - t0) / n_time
    out["log"] = log
    json.dump(out, open(out_path, "w"))
    del mraw, raw
    return 0


def _strings(ptr, n):
    return [ptr[i].decode("utf-8") for i in range(n)]


def _describe(lib, model, out: dict) -> None:
    size, origin, ppu = (C.c_float * 2)(), (C.c_float * 2)(), C.c_float()
    lib.csmReadCanvasInfo(model, C.byref(size), C.byref(origin), C.byref(ppu))
    out["canvas"] = {"size": list(size), "origin": list(origin), "ppu": ppu.value}
    n = lib.csmGetParameterCount(model)
    kc = lib.csmGetParameterKeyCounts(model)
    kv = lib.csmGetParameterKeyValues(model)
    out["parameters"] = {
        "ids": _strings(lib.csmGetParameterIds(model), n),
        "min": lib.csmGetParameterMinimumValues(model)[:n], "max": lib.csmGetParameterMaximumValues(model)[:n],
        "default": lib.csmGetParameterDefaultValues(model)[:n],
        "keys": [kv[i][: kc[i]] for i in range(n)],
    }  # fmt: skip
    np_ = lib.csmGetPartCount(model)
    out["parts"] = {"ids": _strings(lib.csmGetPartIds(model), np_), "parents": lib.csmGetPartParentPartIndices(model)[:np_]}
    nd = lib.csmGetDrawableCount(model)
    vc = lib.csmGetDrawableVertexCounts(model)[:nd]
    ic = lib.csmGetDrawableIndexCounts(model)[:nd]
    uvs, idx = lib.csmGetDrawableVertexUvs(model), lib.csmGetDrawableIndices(model)
    mc, masks = lib.csmGetDrawableMaskCounts(model)[:nd], lib.csmGetDrawableMasks(model)
    out["drawables"] = {
        "ids": _strings(lib.csmGetDrawableIds(model), nd), "vertex_counts": vc,
        "uvs": [uvs[i][: 2 * vc[i]] for i in range(nd)], "indices": [idx[i][: ic[i]] for i in range(nd)],
        "textures": lib.csmGetDrawableTextureIndices(model)[:nd], "masks": [masks[i][: mc[i]] for i in range(nd)],
        "constant_flags": lib.csmGetDrawableConstantFlags(model)[:nd],
        "parent_parts": lib.csmGetDrawableParentPartIndices(model)[:nd],
    }  # fmt: skip


def _state(lib, model, vc: list[int]) -> dict:
    nd = len(vc)
    pos = lib.csmGetDrawableVertexPositions(model)
    npart = lib.csmGetPartCount(model)
    return {
        "positions": [pos[i][: 2 * vc[i]] for i in range(nd)],
        "opacities": lib.csmGetDrawableOpacities(model)[:nd], "draw_orders": lib.csmGetDrawableDrawOrders(model)[:nd],
        "render_orders": lib.csmGetRenderOrders(model)[:nd], "dynamic_flags": lib.csmGetDrawableDynamicFlags(model)[:nd],
        "multiply": lib.csmGetDrawableMultiplyColors(model)[: 4 * nd], "screen": lib.csmGetDrawableScreenColors(model)[: 4 * nd],
        "part_opacities": lib.csmGetPartOpacities(model)[:npart],
    }  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
