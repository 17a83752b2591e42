"""`vtconnect-care`: the desktop app's entry point, on a qasync event loop."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from vtconnect_care import __version__

log = logging.getLogger("vtconnect.app")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="vtconnect-care", description="VTConnect Care desktop app")
    p.add_argument("--portal-url", help="the organisation's portal, e.g. https://care.example.org")
    p.add_argument(
        "--devices",
        choices=["real", "synthetic", "none"],
        help="media devices to offer (default: the system config file's choice, else real)",
    )
    p.add_argument("--version", action="store_true", help="print the version and exit")
    p.add_argument("--self-test", action="store_true", help="check the installation and exit")
    p.add_argument("--log-level", default="info")
    return p.parse_args(argv)


def build_services(args: argparse.Namespace):
    from vtconnect_care.client.app_config import DevicesPolicy

    from .devices import SystemDevices, provider_for
    from .local_time import system_zone
    from .services import AppServices, care_room_launcher
    from .user_settings import UserSettings

    devices = provider_for(DevicesPolicy(args.devices)) if args.devices else SystemDevices()
    return AppServices(
        settings=UserSettings(),
        devices=devices,
        launch_care_room=care_room_launcher,
        portal_flag=args.portal_url,
        timezone=system_zone(),  # for "today" (Qt knows the zone on Windows too)
        devices_from_config=args.devices is None,
    )


def make_application(argv0: str = "vtconnect-care"):
    """The QApplication with the product's name, icon and style sheet."""
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from . import resources

    app = QApplication.instance() or QApplication([argv0])
    app.setOrganizationName("VTConnect")
    app.setApplicationName("VTConnect Care")
    app.setApplicationVersion(__version__)
    app.setWindowIcon(QIcon(str(resources.icon_path())))
    app.setStyleSheet(resources.style_sheet())
    return app


def run_app(args: argparse.Namespace) -> int:
    from . import excepthook
    from .event_loop import make_loop
    from .main_window import MainWindow

    app = make_application(sys.argv[0] if sys.argv else "vtconnect-care")
    loop = make_loop(app)
    excepthook.install()
    loop.set_exception_handler(excepthook.asyncio_handler())
    window = MainWindow(build_services(args))
    window.show()
    quitting = asyncio.Event()
    app.aboutToQuit.connect(quitting.set)
    with loop:
        window.start()
        loop.run_until_complete(quitting.wait())
    loop.collector.stop()  # type: ignore[attr-defined]
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.version:
        print(f"VTConnect Care {__version__}")
        return 0
    logging.basicConfig(
        level=getattr(logging, str(args.log_level).upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.self_test:
        from . import self_test  # written separately; imported only when asked for

        result = self_test.run()
        return int(result) if isinstance(result, int) else 0
    return run_app(args)


if __name__ == "__main__":
    sys.exit(main())
