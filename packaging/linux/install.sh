#!/bin/sh
# Install (or remove) the VTConnect Care desktop app from this unpacked tarball.
#
#   sudo ./install.sh               install into /opt/vtconnect-care, menu entry, icons, command
#   sudo ./install.sh --uninstall   remove them again (leaves /etc/vtconnect-care alone)
#   ./install.sh --root DIR         install under DIR instead of / (staging, tests)
#
# See INSTALL.txt for the system-wide configuration file and what each step does.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=""
ACTION=install
while [ $# -gt 0 ]; do
    case "$1" in
        --root) ROOT=${2:?--root needs a folder}; shift 2 ;;
        --uninstall) ACTION=uninstall; shift ;;
        -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
        *) echo "install.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
    esac
done

APP_DIR=/opt/vtconnect-care            # where the app lives once installed
SHARE="$ROOT/usr/local/share"
BIN="$ROOT/usr/local/bin"
CONF_DIR="$ROOT/etc/vtconnect-care"
ICON_SIZES="16x16 32x32 48x48 64x64 128x128 256x256 512x512 scalable"

refresh_desktop_caches() {
    [ -n "$ROOT" ] && return 0
    command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$SHARE/applications" || true
    command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$SHARE/icons/hicolor" || true
}

if [ "$ACTION" = uninstall ]; then
    rm -rf "$ROOT$APP_DIR"
    rm -f "$BIN/vtconnect-care" "$SHARE/applications/vtconnect-care.desktop"
    for size in $ICON_SIZES; do
        rm -f "$SHARE/icons/hicolor/$size/apps/vtconnect-care.png" \
              "$SHARE/icons/hicolor/$size/apps/vtconnect-care.svg"
    done
    refresh_desktop_caches
    echo "VTConnect Care removed. $CONF_DIR (if any) was left in place."
    exit 0
fi

[ -x "$HERE/vtconnect-care/vtconnect-care" ] || {
    echo "install.sh: run me from the unpacked tarball (vtconnect-care/ is missing)" >&2
    exit 1
}

# The app folder: copied next to the old one, then swapped in, so a failed copy breaks nothing.
mkdir -p "$(dirname "$ROOT$APP_DIR")"
rm -rf "$ROOT$APP_DIR.new"
cp -a "$HERE/vtconnect-care" "$ROOT$APP_DIR.new"
rm -rf "$ROOT$APP_DIR.old"
[ -d "$ROOT$APP_DIR" ] && mv "$ROOT$APP_DIR" "$ROOT$APP_DIR.old"
mv "$ROOT$APP_DIR.new" "$ROOT$APP_DIR"
rm -rf "$ROOT$APP_DIR.old"

# The command, the menu entry and the icons.
mkdir -p "$BIN" "$SHARE/applications"
ln -sf "$APP_DIR/vtconnect-care" "$BIN/vtconnect-care"
install -m 0644 "$HERE/vtconnect-care.desktop" "$SHARE/applications/vtconnect-care.desktop"
for size in $ICON_SIZES; do
    for icon in "$HERE/icons/hicolor/$size/apps/"vtconnect-care.*; do
        [ -f "$icon" ] || continue
        mkdir -p "$SHARE/icons/hicolor/$size/apps"
        install -m 0644 "$icon" "$SHARE/icons/hicolor/$size/apps/"
    done
done
refresh_desktop_caches

# The system-wide configuration: an example beside it, never over IT's own file.
mkdir -p "$CONF_DIR"
install -m 0644 "$HERE/config/config.ini.example" "$CONF_DIR/config.ini.example"

echo "VTConnect Care installed in $ROOT$APP_DIR; checking it:"
"$ROOT$APP_DIR/vtconnect-care" --self-test
