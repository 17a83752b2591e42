"""Video paused: by "Audio only", or by a path too weak for it; what each person is told (Qt-free).

The engine pauses video on a connection by itself when the path cannot carry it (issue 18's
audio first) and says so to both sides; "Audio only" is the person's own choice. ``VideoPauses``
follows the engine's events and answers what the windows show: the notice on my side, the
caption on a person's tile, and whether a tile without pictures is simply paused rather than
reconnecting.
"""

from __future__ import annotations

import time
from collections.abc import Callable

WEAK_PAUSED = "Your connection is weak: video is paused to keep the sound clear."
AUDIO_ONLY_ON = "Audio only: no video is sent or received, so the sound stays clear."
VIDEO_BACK = "Your connection is better: video is back."
AUDIO_ONLY = "Audio only"  # the control's label
AUDIO_ONLY_CAPTION = "Audio only: video is off"  # every tile while I chose it
AUDIO_ONLY_TIP = "Audio only: stop video both ways to keep the sound clear on a weak connection"
SETTLE_AFTER_RESUME = 3.0  # seconds a tile waits for pictures after video came back


def paused_caption(name: str, reason: str | None) -> str:
    """A person's tile while their video to me is paused."""
    if reason == "chosen":
        return f"{name} chose audio only"
    return f"The connection with {name} is weak: video is paused to keep the sound clear"


class VideoPauses:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.audio_only = False  # my choice
        self.paused_to: set[int] = set()  # people my video is paused to (a weak path)
        self.paused_from: dict[int, str | None] = {}  # people whose video to me is paused: why
        self.back_at: dict[int, float] = {}  # when a person's video came back
        self.recovered = False  # my video came back after a pause (VIDEO_BACK, until the next)
        self._clock = clock

    def on_event(self, kind: str, data: dict) -> bool:
        """Take an engine event; True when what the windows show changed."""
        who = data.get("account_id")
        if kind == "audio_only":
            self.audio_only = bool(data["on"])
        elif kind == "video_paused":
            self.paused_to.add(who)  # type: ignore[arg-type]
            self.recovered = False
        elif kind == "video_resumed":
            if who not in self.paused_to:
                return False
            self.paused_to.discard(who)  # type: ignore[arg-type]
            self.recovered = not self.paused_to
        elif kind == "remote_video":
            if data["on"]:
                if self.paused_from.pop(who, "none") == "none":  # type: ignore[arg-type]
                    return False
                self.back_at[who] = self._clock()  # type: ignore[index]
            else:
                self.paused_from[who] = data.get("reason")  # type: ignore[index]
        elif kind in ("participant_left", "participant_dropped"):
            member = data.get("member") or {}
            gone = member.get("account_id")
            changed = gone in self.paused_to or gone in self.paused_from
            self.paused_to.discard(gone)
            self.paused_from.pop(gone, None)
            return changed
        else:
            return False
        return True

    def notice(self) -> str:
        """The sentence on my side of the call ('' for none)."""
        if self.audio_only:
            return AUDIO_ONLY_ON
        if self.paused_to:
            return WEAK_PAUSED
        return VIDEO_BACK if self.recovered else ""

    def caption(self, account_id: int, name: str) -> str | None:
        if self.audio_only:
            return AUDIO_ONLY_CAPTION
        if account_id not in self.paused_from:
            return None
        return paused_caption(name, self.paused_from[account_id])

    def quiet_by_design(self, account_id: int) -> bool:
        """No pictures from this person is expected (paused, or only just back)."""
        if self.audio_only or account_id in self.paused_from:
            return True
        back = self.back_at.get(account_id)
        return back is not None and self._clock() - back < SETTLE_AFTER_RESUME
