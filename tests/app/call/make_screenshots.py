"""A Care Room tile showing poor quality, with its tooltip, for docs/screenshots (under Xvfb):

    xvfb-run -a -s "-screen 0 1280x860x24" .venv/bin/python -m tests.app.call.make_screenshots

The room runs on the fake engine (no server): Alex Morgan's pictures come from a synthetic
camera, and the quality event is the one ``LinkMonitor`` sends for five seconds of 21% loss
(judged by ``domain.call_quality.judge`` here, so the words are the real ones). The tooltip is a
window of its own, so the screen is grabbed, not the widget.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import replace

from tests.helpers.screens import OUT, wait_for


async def scenario(window, made) -> None:
    from av import VideoFrame
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication, QToolTip

    from tests.app.call.test_controller import session
    from vtconnect_care.client.media.synthetic import SyntheticCamera
    from vtconnect_care.domain.call_quality import LinkSample, judge

    c = window.controller
    await c.start()
    engine = made[0]
    engine.join_session(session("begun", "present"))
    engine.emit("begun", session=engine.session)
    camera = SyntheticCamera("Alex Morgan", 640, 480)
    camera.start()

    async def feed() -> None:
        while True:
            sample = camera.latest()
            if sample is not None:
                c.frames.put(2, VideoFrame.from_ndarray(sample.image, format="bgr24"))
            await asyncio.sleep(1 / 30)

    feeding = asyncio.ensure_future(feed())
    await wait_for(lambda: c.frames.get(2) is not None)
    engine.emit("first_frame", account_id=2, at=0.0)
    lossy = LinkSample(
        at=0.0,
        rtt_ms=310.0,
        loss_in=0.21,
        loss_out=0.04,
        jitter_ms=22.0,
        kbps_in=420.0,
        kbps_out=450.0,
        fps_in=19.0,
        packets_in_per_s=96.0,
    )
    verdict = judge([replace(lossy, at=float(i)) for i in range(5)], None)
    engine.emit_quality(2, verdict.level.value, *verdict.reasons, **verdict.figures)
    tile = window.grid.tiles[2]
    await wait_for(lambda: tile.quality.isVisible() and tile.converted > 5)
    badge = tile.quality
    QToolTip.showText(
        badge.mapToGlobal(QPoint(badge.width() // 2, badge.height())), badge.toolTip(), badge
    )
    await asyncio.sleep(0.8)
    # where a pointer resting on the label would have it: under the label, inside the window
    tips = [w for w in QApplication.topLevelWidgets() if w.inherits("QTipLabel") and w.isVisible()]
    for tip in tips:
        corner = badge.mapToGlobal(QPoint(badge.width(), badge.height() + 6))
        tip.move(corner.x() - tip.width(), corner.y())
    await asyncio.sleep(0.3)
    screen = QGuiApplication.primaryScreen()
    top_left = window.mapToGlobal(QPoint(0, 0))
    shot = screen.grabWindow(0, top_left.x(), top_left.y(), window.width(), window.height())
    path = OUT / "care-room-poor.png"
    shot.save(str(path), "PNG")
    print(path, path.stat().st_size, "bytes;", badge.accessibleName(), "|", badge.toolTip())
    feeding.cancel()
    camera.close()
    window.force_close()
    await c.aclose()


def main() -> int:
    from tests.app.call.test_controller import ALEX, PATEL
    from tests.app.care_room.conftest import RecordingDevices
    from tests.helpers.fake_engine import FakeEngine
    from vtconnect_care.app.care_room import CareRoomController, CareRoomWindow, RoomRequest
    from vtconnect_care.app.event_loop import make_loop
    from vtconnect_care.app.main import make_application

    OUT.mkdir(parents=True, exist_ok=True)
    app = make_application()
    app.setQuitOnLastWindowClosed(False)  # the room closes itself at the end
    loop = make_loop(app)
    made: list[FakeEngine] = []
    request = RoomRequest(
        account=PATEL,
        portal_url="http://x",
        token="t",
        people=(ALEX,),
        devices=RecordingDevices("Priya Patel"),
    )
    window = CareRoomWindow(
        CareRoomController(request, engine_factory=FakeEngine.factory(made, PATEL))
    )
    window.resize(1120, 700)
    window.move(40, 40)
    window.show()
    with loop:
        loop.run_until_complete(asyncio.wait_for(scenario(window, made), 60))
    return 0


if __name__ == "__main__":
    sys.exit(main())
