#!/usr/bin/env bash
# Build Kirie's Linux bundle and its .deb, then smoke-test the bundle.
#
#   bash packaging/build_linux.sh [BUILD_DIR]        (default: build/packaging)
#
# 1. a build venv (BUILD_DIR/venv) with Kirie's requirements, headless OpenCV, mediapipe --no-deps and
#    PyInstaller (headless OpenCV: the bundle need not carry the Qt5 that opencv-contrib-python bundles);
# 2. PyInstaller one-folder bundle from packaging/kirie.spec: BUILD_DIR/dist/kirie/kirie;
# 3. smoke test: from another folder, with an empty model cache, the bundle's 'kirie --version' and
#    'kirie generate --sample' (the shipped sample and models must be inside the bundle);
# 4. a .deb around it: /opt/kirie (the bundle), /usr/bin/kirie, the .desktop entry and the icon.
# Prints the sizes of the bundle and the .deb. Needs Python >= 3.11 with venv, dpkg-deb and fakeroot;
# the .deb is zstd-compressed (installs with dpkg >= 1.21.18: Debian 12, Ubuntu 21.10 and later).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
BUILD=$(realpath -m "${1:-build/packaging}")
PY=${PYTHON:-python3}
VERSION=$("$PY" -c "import re; print(re.search(r'__version__ = \"(.+?)\"', open('app/__init__.py').read())[1])")
mkdir -p "$BUILD"

if [ ! -x "$BUILD/venv/bin/pyinstaller" ]; then
  "$PY" -m venv "$BUILD/venv"
  "$BUILD/venv/bin/python" scripts/requirements.py --without mediapipe \
    --add "opencv-python-headless>=4.9" --add "pyinstaller>=6.10" >"$BUILD/requirements.txt"
  "$BUILD/venv/bin/python" -m pip install -q -r "$BUILD/requirements.txt"
  "$BUILD/venv/bin/python" -m pip install -q --no-deps "mediapipe==1.2.2"
fi

echo "== PyInstaller bundle"
start=$(date +%s)
PYTHONPATH="$REPO" "$BUILD/venv/bin/pyinstaller" --noconfirm --log-level WARN --distpath "$BUILD/dist" --workpath "$BUILD/work" \
  packaging/kirie.spec
echo "bundle built in $(( $(date +%s) - start )) s"
BUNDLE="$BUILD/dist/kirie"

echo "== smoke test (from another folder, empty model cache)"
work=$(mktemp -d)
(
  cd "$work"
  export KIRIE_MODEL_CACHE="$work/empty-cache"
  "$BUNDLE/kirie" --version
  "$BUNDLE/kirie" generate --help | grep -q -- "--sample"  # the subcommands are imported by name
  start=$(date +%s)
  "$BUNDLE/kirie" generate --sample -o sample.kirie --preview sample.png
  echo "generate --sample from the bundle: $(( $(date +%s) - start )) s"
  test -s sample.kirie && test -s sample.png
  test ! -e "$KIRIE_MODEL_CACHE"
)
cp "$work/sample.png" "$BUILD/bundle_sample_preview.png"
rm -rf "$work"

echo "== .deb"
ROOT="$BUILD/deb/kirie_${VERSION}_amd64"
rm -rf "$ROOT"
mkdir -p "$ROOT/DEBIAN" "$ROOT/opt" "$ROOT/usr/bin" "$ROOT/usr/share/applications" \
  "$ROOT/usr/share/icons/hicolor/scalable/apps" "$ROOT/usr/share/mime/packages"
cp -a "$BUNDLE" "$ROOT/opt/kirie"
ln -s /opt/kirie/kirie "$ROOT/usr/bin/kirie"
cp packaging/kirie.desktop "$ROOT/usr/share/applications/kirie.desktop"
cp packaging/kirie.svg "$ROOT/usr/share/icons/hicolor/scalable/apps/kirie.svg"
cp packaging/kirie-mime.xml "$ROOT/usr/share/mime/packages/kirie.xml"
installed_kb=$(du -sk "$ROOT" | cut -f1)
sed -e "s/@VERSION@/$VERSION/" -e "s/@SIZE@/$installed_kb/" packaging/deb-control >"$ROOT/DEBIAN/control"
fakeroot dpkg-deb --build -Zzstd -z9 "$ROOT" "$BUILD/kirie_${VERSION}_amd64.deb" >/dev/null

echo "== sizes"
echo "bundle: $(du -sh "$BUNDLE" | cut -f1) ($BUNDLE)"
echo "deb:    $(du -h "$BUILD/kirie_${VERSION}_amd64.deb" | cut -f1) ($BUILD/kirie_${VERSION}_amd64.deb)"
echo "ok: $REPO bundle and .deb built and smoke-tested"
