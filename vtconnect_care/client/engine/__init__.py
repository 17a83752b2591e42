"""The call engine: Care Room calls as a mesh of aiortc peer connections (no Qt here).

Use (from any asyncio loop; the Qt Care Room drives it through qasync)::

    from vtconnect_care.client.engine import CallEngine, MediaSet

    media = MediaSet.synthetic("Priya Patel")      # or MediaSet.devices(...) off the loop
    engine = CallEngine(portal_url, token, media, ice_servers=[])  # [] on a LAN or loopback
    hello = await engine.start()       # hello["sessions"]: live sessions to offer (R-ROOM-9)
    session_id = await engine.host([client_id])   # or usernames=["alex.active"]
    await engine.join(session_id)      # a client; also re-joins after a restart (R-ROOM-9)
    await engine.begin()               # host only, once someone arrived (R-ROOM-2)
    await engine.send_chat("Hello")
    engine.set_camera_enabled(False)   # R-ROOM-3: no renegotiation (black pictures / silence)
    engine.set_mic_enabled(False); engine.set_speaker_enabled(False)
    await engine.end()                 # host only (R-ROOM-7); others get RealtimeError
    await engine.leave()               # a client leaves; the host gets a notice (R-ROOM-8)
    await engine.close()               # idempotent: peers, tracks, socket, devices

Commands raise ``RealtimeError(code, message)`` when the hub refuses (``message`` is a sentence
for the person) and ``ConnectionError`` while the socket is down.

``ice_servers``: the list handed to aiortc, always explicit (aiortc falls back to a public STUN
host when given none). ``None`` means "what the portal hands out with the join" (its configured
STUN/TURN, TURN with short-lived credentials); ``[]`` means host candidates only.

Events: ``engine.events`` (an ``asyncio.Queue`` of ``Event(kind, data)``, newest kept if nobody
reads) and, if given, ``on_event(event)`` called on the loop. Kinds and data:

- ``state`` {state}: idle, connected, waiting (in the room, not begun), in_call, reconnecting,
  rejoining, ended, offline (gave up or refused), closed
- ``media`` {notices}: sentences naming each synthetic stand-in in use
- ``hello`` {account, sessions}; ``hosted`` {session}: someone hosts you
- ``joined`` {session, chat}; ``begun`` {session}; ``ended`` {session_id, by}
- ``participant_joined`` {member, returned}; ``participant_dropped`` {member};
  ``participant_left`` {member}
- ``chat`` {id, sender_id, sender_name, kind ("chat" or "notice"), body, created_at}
- ``first_frame`` {account_id, at}; ``peer_state`` {account_id, state}
- ``media_toggled`` {device, enabled}; ``error`` {code, message}; ``offline`` {reason}
- ``audio_only`` {on}: "Audio only" chosen (``set_audio_only``): no video sent, none wanted
- ``video_paused`` {account_id, reason "weak"} / ``video_resumed`` {account_id}: my video to
  that person stopped by itself because the path cannot carry it, and came back (adapt.py)
- ``remote_video`` {account_id, on, reason ("weak", "chosen" or None)}: that person's video to
  me paused or resumed, and why
- ``quality`` {account_id, level ("good", "fair", "poor"), reasons (codes, worst first),
  problems and advice (sentences for the person), figures (the 5 s window's judged figures),
  and the newest ``LinkSample``'s fields: at, rtt_ms, loss_in, loss_out, jitter_ms, kbps_in,
  kbps_out, fps_in, packets_in_per_s, estimate_kbps, video_expected}: when a person's level
  changes, and at least every 5 s while their connection is up (``link_stats.LinkMonitor``;
  the levels and why in ``domain.call_quality``)

Link statistics: ``engine.link.latest(account_id)`` (the newest one-second ``LinkSample``),
``engine.link.window(account_id)`` (the last 5 s of them) and ``engine.link.verdict(account_id)``;
``engine.link.expect_video(account_id, False)`` while that person's camera is off ("Audio
only" on either side the monitor sees itself): little video is then no fault.

Remote video: ``on_video_frame(account_id, av.VideoFrame)`` for every decoded frame, on the
loop (convert with ``frame.to_ndarray(format="bgr24")`` only when you draw). Every remote track
is always read, even with no callback (docs/pitfalls.md). Remote audio is mixed into the
media set's speaker while the speakers are on.

Recovery: the socket re-opens with backoff (0.1 s doubling to 1.5 s) for ``reconnect_for``
seconds (120 by default; the hub keeps a place for 60 s) and the engine re-joins by itself. A
peer connection that fails or carries no media for ``stale_after`` seconds is replaced by a new
one with a fresh offer and answer (aiortc has no ICE restart). At most ``cap`` people (6).
"""

from __future__ import annotations

from ..realtime import RealtimeError
from .call import CallEngine
from .media_set import MediaSet
from .states import EngineState, Event

__all__ = ["CallEngine", "EngineState", "Event", "MediaSet", "RealtimeError"]
