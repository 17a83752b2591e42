"""Self-test checks of the display side: Qt and its plugins, resources, the main window."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from .common import CAMERA_NAME, PLATFORM_ENV, CheckError

# The platform plugins a build must carry, besides "offscreen" (used here and on servers).
# (Linux: X11 and Wayland; Qt 6 names its Wayland plugin "wayland", older ones "wayland-egl"...)
NATIVE_PLATFORM_PLUGINS = {"linux": ("xcb", "wayland"), "win32": ("windows",), "darwin": ("cocoa",)}


def check_qt(context: dict) -> str:
    platform_wanted = os.environ.get(PLATFORM_ENV) or "offscreen"
    os.environ["QT_QPA_PLATFORM"] = platform_wanted
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import QCoreApplication, QLibraryInfo
    from PySide6.QtWidgets import QApplication

    context["qt_warnings"] = _capture_qt_messages(context)
    app = QApplication.instance() or QApplication(["vtconnect-care"])
    context["qt_app"] = app
    platform = app.platformName()
    if platform != platform_wanted:
        raise CheckError(f"Qt started on the {platform!r} platform instead of {platform_wanted!r}")
    folders = [QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)]
    folders += QCoreApplication.libraryPaths()
    platform_dirs = [Path(f) / "platforms" for f in dict.fromkeys(folders)]
    present = {plugin_name(p) for d in platform_dirs if d.is_dir() for p in d.iterdir()}
    plugins_dir = platform_dirs[0]
    wanted = {"offscreen", *NATIVE_PLATFORM_PLUGINS.get(sys.platform, ())}
    missing = sorted(w for w in wanted if not any(p.startswith(w) for p in present))
    if missing:
        raise CheckError(f"Qt platform plugins missing from {plugins_dir}: {', '.join(missing)}")
    plugins = ", ".join(sorted(wanted))
    return f"PySide6 {pyside_version}, platform {platform}, plugins: {plugins}"


def _capture_qt_messages(context: dict) -> list[str]:
    """Keep Qt's warnings for the checks (and off the terminal: the offscreen platform
    warns about window hints it does not support)."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    messages: list[str] = []

    def handler(kind, _context, text) -> None:
        if kind != QtMsgType.QtDebugMsg and "propagateSizeHints" not in text:
            messages.append(text)

    previous = qInstallMessageHandler(handler)
    context["restore"].append(lambda: qInstallMessageHandler(previous))
    return messages


def plugin_name(path: Path) -> str:
    """'libqxcb.so' / 'qwindows.dll' / 'libqcocoa.dylib' -> 'xcb' / 'windows' / 'cocoa'."""
    stem = path.name.split(".")[0]
    stem = stem.removeprefix("lib")
    return stem.removeprefix("q")


def check_resources(context: dict) -> str:
    from PySide6.QtGui import QIcon

    from .. import resources

    style = resources.style_sheet()
    if not style.strip():
        raise CheckError("the style sheet resources/style.qss is empty")
    images = [Path(u.strip("'\" ")) for u in re.findall(r"url\(([^)]*)\)", style)]
    missing = [str(p) for p in images if not p.is_file()]
    if missing:
        raise CheckError(f"the style sheet's images are missing: {', '.join(missing)}")
    icon = QIcon(str(resources.icon_path()))
    pixmap = icon.pixmap(64, 64)
    if pixmap.isNull():
        raise CheckError(
            f"the app icon {resources.icon_path().name} does not render "
            "(is Qt's SVG image-format plugin missing?)"
        )
    context["app_icon"] = icon
    ding = resources.ding_path()
    if not ding.is_file():
        raise CheckError(f"the ding sound is missing ({ding})")
    size = f"{pixmap.width()}x{pixmap.height()}"
    return (
        f"style sheet with {len(images)} images, icon {size}, ding in {resources.resources_dir()}"
    )


def check_main_window(context: dict) -> str:
    from PySide6.QtWidgets import QApplication

    from .. import resources

    app = context["qt_app"]
    warnings = context["qt_warnings"]
    before = len(warnings)
    app.setStyleSheet(resources.style_sheet())
    window, settings_dir = _build_main_window()
    try:
        window.show()
        app.processEvents()
        if not window.isVisible():
            raise CheckError("the main window did not show")
        dialogs = _show_dialogs(window)
        style_problems = [w for w in warnings[before:] if "style" in w.lower()]
        if style_problems:
            raise CheckError(f"the style sheet has errors: {style_problems[0]}")
        return (
            f"{type(window).__name__} '{window.windowTitle()}' shown on {app.platformName()} at "
            f"{window.width()}x{window.height()} (synthetic devices, no portal); "
            f"dialogs: {', '.join(dialogs)}"
        )
    finally:
        window.close()
        window.deleteLater()
        QApplication.processEvents()
        settings_dir.cleanup()


def _show_dialogs(window) -> list[str]:
    """The dialogs the main window opens later (their forms too), shown and closed."""
    from PySide6.QtWidgets import QApplication

    from ..portal_dialog import PortalDialog
    from ..visits.visit_dialog import VisitDialog

    shown = []
    for dialog in (PortalDialog(None, window), VisitDialog(window)):
        try:
            dialog.show()
            QApplication.processEvents()
            if not dialog.isVisible():
                raise CheckError(f"the {dialog.accessibleName()} dialog did not show")
            shown.append(dialog.accessibleName())
        finally:
            dialog.close()
            dialog.deleteLater()
    return shown


def _build_main_window():
    """The real main window, offline: throw-away settings, synthetic devices, no system file.

    Not started (``start()`` would look for the portal): building and showing it loads every
    screen and widget the app has."""
    import tempfile

    from PySide6.QtCore import QSettings

    from vtconnect_care.client.app_config import SystemConfig

    from ..devices import SyntheticDevices
    from ..main_window import MainWindow
    from ..services import AppServices
    from ..user_settings import UserSettings

    settings_dir = tempfile.TemporaryDirectory(prefix="vtconnect-self-test-")
    qsettings = QSettings(str(Path(settings_dir.name) / "settings.ini"), QSettings.Format.IniFormat)
    services = AppServices(
        settings=UserSettings(qsettings),
        devices=SyntheticDevices(CAMERA_NAME),
        load_system_config=SystemConfig,
        devices_from_config=False,
    )
    return MainWindow(services), settings_dir
