#!/usr/bin/env bash
# Build the desktop app package on Linux, in one command:
#
#     packaging/build.sh
#
# -> dist/vtconnect-care/                                   the one-folder app (PyInstaller)
# -> dist/vtconnect-care-<version>-linux-<arch>.tar.gz      that folder, the .desktop entry,
#                                                          icons, install.sh, the configuration
#                                                          example and INSTALL.txt
# and runs the built app's --version and --self-test: a package that fails them is not made.
#
# Needs the project's virtual environment with the app and dev extras
# (`make install` or `pip install -e '.[app,dev]'`); PYTHON=... picks another interpreter.
# The same spec builds on Windows and macOS: see packaging/ci/build-desktop.yml.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
cd "$ROOT"

VERSION=$("$PYTHON" -c 'import vtconnect_care; print(vtconnect_care.__version__)')
ARCH=$(uname -m)
NAME=vtconnect-care-$VERSION-linux-$ARCH
started=$(date +%s)

echo "== building VTConnect Care $VERSION for linux-$ARCH"
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/vtconnect-care.spec

echo "== checking the built app"
APP=dist/vtconnect-care/vtconnect-care
"$APP" --version
QT_QPA_PLATFORM=offscreen "$APP" --self-test

echo "== making dist/$NAME.tar.gz"
STAGE=build/tarball/$NAME
rm -rf build/tarball
mkdir -p "$STAGE/config"
cp -a dist/vtconnect-care "$STAGE/"
cp -a packaging/linux/icons "$STAGE/"
install -m 0644 packaging/linux/vtconnect-care.desktop packaging/linux/INSTALL.txt "$STAGE/"
install -m 0755 packaging/linux/install.sh "$STAGE/"
install -m 0644 packaging/config/config.ini.example "$STAGE/config/"
rm -f "dist/$NAME.tar.gz"
tar -C build/tarball --owner=0 --group=0 -czf "dist/$NAME.tar.gz" "$NAME"
rm -rf build/tarball

size=$(du -h "dist/$NAME.tar.gz" | cut -f1)
echo "== done in $(( $(date +%s) - started )) s: dist/vtconnect-care/ and dist/$NAME.tar.gz ($size)"
