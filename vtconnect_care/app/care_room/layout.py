"""Where the Care Room's pieces go: nothing floating covers a face, a name, the chat or a card.

The notices get a strip of their own above the video (the grid starts below it) and to the
right of an open chat; the waiting or ended card is centred in the space the chat leaves.
"""

from __future__ import annotations

from typing import Any

MARGIN = 16
TOP = 60  # below the hamburger, the status pill and End


def place(room: Any) -> None:
    """Lay the CareRoomWindow ``room`` out for its current size and open panels."""
    w, h, m = room.width(), room.height(), MARGIN
    chat_w = min(360, int(w * 0.34))
    left = m + chat_w + 4 if room.chat.isVisible() else 0  # the chat never hides a face
    top = TOP
    if room.notice.isVisible() and room.notice.text():
        nw = max(min(560, w - left - 2 * m), 120)
        room.notice.setFixedWidth(nw)
        nh = max(room.notice.heightForWidth(nw), 24)
        room.notice.setGeometry(left + (w - left - nw) // 2, TOP - 2, nw, nh)
        top = TOP - 2 + nh + 6
    room.grid.setGeometry(left, top, w - left, h - top - 72)
    sv_w = int(min(260, max(160, w * 0.2)))
    sv_h = int(sv_w * 3 / 4)
    room.self_view.setGeometry(w - sv_w - m, h - sv_h - m, sv_w, sv_h)
    room.hamburger.setGeometry(m, 10, 44, 44)
    exit_button = room.exit_button
    exit_button.adjustSize()
    bw = max(110, exit_button.sizeHint().width())
    exit_button.setGeometry(w - bw - m, 12, bw, 40)
    room.full_button.setGeometry(w - bw - m - 54, 10, 44, 44)
    room.status.adjustSize()
    sw = min(w - 2 * 140, room.status.sizeHint().width() + 8)
    room.status.setGeometry((w - sw) // 2, 14, max(sw, 10), 34)
    room.chat_button.setGeometry(m, h - 44 - m, 44, 44)
    room.people_button.setGeometry(m + 54, h - 44 - m, 44, 44)
    room.chat.setGeometry(m, 64, chat_w, h - 64 - 44 - m - 12)
    px = m + (chat_w + 12 if room.chat.isVisible() else 0)
    ph = room.participants.height()
    room.participants.setGeometry(px, h - 44 - m - 12 - ph, 280, ph)
    waiting = room.waiting
    waiting.adjustSize()
    ww = min(520, w - left - 80)
    wh = max(waiting.heightForWidth(ww), waiting.sizeHint().height())
    waiting.setGeometry(left + (w - left - ww) // 2, (h - wh) // 2, ww, wh)
    for widget in (room.status, room.notice, room.self_view, *room.overlay_widgets()):
        widget.raise_()
    room.chat.raise_()
    room.participants.raise_()
