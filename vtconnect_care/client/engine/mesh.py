"""The mesh: one peer connection per other person, offers and answers, remote tracks read.

Who offers is one rule (``domain.care_room.offers_to``): the newcomer, and at Begin or after a
failure the lower account id; when both offer at once the lower id's offer wins.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaRelay
from aiortc.mediastreams import MediaStreamTrack
from aiortc.sdp import candidate_from_sdp

from vtconnect_care.domain.care_room import offers_to

from ..ice import rtc_configuration
from .adapt import Adapter, stats_of
from .jitter import buffer_of
from .peer import Peer, bytes_sent, prefer_codecs, read_remote
from .tracks import AudioMixer

log = logging.getLogger("vtconnect.call")

Emit = Callable[..., None]
Signal = Callable[[int, dict], Awaitable[None]]


class Mesh:
    """The peer connections of one person in one session."""

    def __init__(
        self,
        *,
        my_id: Callable[[], int],
        local: tuple[MediaStreamTrack, MediaStreamTrack],
        mixer: AudioMixer,
        ice: Callable[[], list[dict]],
        signal: Signal,
        emit: Emit,
        spawn: Callable[..., None],
        cap: int,
        on_video_frame: Callable[[int, Any], Any] | None,
        marks: dict[str, float],
    ) -> None:
        self.peers: dict[int, Peer] = {}
        self._my_id = my_id
        self._audio, self._video = local
        self._mixer = mixer
        self._ice = ice
        self._signal = signal
        self._emit = emit
        self._spawn = spawn
        self.cap = cap
        self.on_video_frame = on_video_frame
        self.marks = marks
        self.audio_only = False  # "Audio only" chosen: no video sent, none wanted
        self._relay = MediaRelay()

    def offers_to(self, other: int, *, i_arrived_last: bool = False) -> bool:
        return offers_to(self._my_id(), other, i_arrived_last=i_arrived_last)

    # --- connections ---------------------------------------------------------------------------

    def _new_peer(self, other: int, pc_id: str, offerer: bool) -> Peer:
        old = self.peers.pop(other, None)
        if old is not None:
            self._spawn(old.close(), name="peer-close")
        pc = RTCPeerConnection(rtc_configuration(self._ice()))
        peer = Peer(other, pc_id, pc, offerer)
        peer.adapter = Adapter(
            other,
            pc,
            signal=lambda signal: self._signal(other, {**signal, "pc": pc_id}),
            emit=self._emit,
            chosen_audio_only=self.audio_only,
        )
        self.peers[other] = peer

        @pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            task = asyncio.create_task(self._consume(peer, track))
            peer.tasks.add(task)
            task.add_done_callback(peer.tasks.discard)

        @pc.on("connectionstatechange")
        async def on_state() -> None:
            state = pc.connectionState
            if self.peers.get(other) is not peer:
                return
            self._emit("peer_state", account_id=other, state=state)
            if state == "connected" and self.audio_only and peer.adapter is not None:
                self._spawn(peer.adapter.tell_choice(), name="peer-tell-choice")
            if state == "failed" and self.offers_to(other):
                # aiortc has no ICE restart: a new connection and a fresh offer
                self._spawn(self.offer(other), name="peer-replace")

        return peer

    def _add_local(self, peer: Peer) -> None:
        audio = self._relay.subscribe(self._audio, buffered=True)
        video = self._relay.subscribe(self._video, buffered=False)
        peer.local_tracks += [audio, video]
        peer.pc.addTrack(audio)
        peer.pc.addTrack(video)
        assert peer.adapter is not None
        peer.adapter.install()

    def _negotiated(self, peer: Peer) -> None:
        """Offer and answer agreed: adaptation starts on this connection."""
        assert peer.adapter is not None
        peer.adapter.check_codecs()
        task = asyncio.create_task(peer.adapter.run(), name="peer-adapt")
        peer.tasks.add(task)
        task.add_done_callback(peer.tasks.discard)

    def set_audio_only(self, on: bool) -> None:
        """Audio only: stop sending video, and ask everyone to stop sending theirs."""
        self.audio_only = on
        for peer in self.peers.values():
            if peer.adapter is not None:
                peer.adapter.choose_audio_only(on)
                self._spawn(peer.adapter.tell_choice(), name="peer-tell-choice")

    async def offer(self, other: int) -> None:
        if other not in self.peers and len(self.peers) >= self.cap - 1:
            self._emit("error", code="room_full", message="This call is full.")
            return
        peer = self._new_peer(other, uuid.uuid4().hex[:12], offerer=True)
        self._add_local(peer)
        prefer_codecs(peer.pc)
        await peer.pc.setLocalDescription(await peer.pc.createOffer())
        if self.peers.get(other) is peer:
            await self._signal(other, {"kind": "offer", "pc": peer.pc_id, "sdp": peer.local_sdp()})

    async def on_signal(self, sender: int, signal: dict) -> None:
        kind, pc_id = signal["kind"], signal["pc"]
        peer = self.peers.get(sender)
        if kind == "offer":
            if peer is not None and peer.pc_id == pc_id:
                return  # a repeat
            glare = peer is not None and peer.pc.signalingState == "have-local-offer"
            if glare and self.offers_to(sender):
                return  # both offered at once: the lower account id's offer wins
            peer = self._new_peer(sender, pc_id, offerer=False)
            await peer.pc.setRemoteDescription(RTCSessionDescription(signal["sdp"], "offer"))
            self._add_local(peer)
            prefer_codecs(peer.pc)
            await peer.pc.setLocalDescription(await peer.pc.createAnswer())
            self._negotiated(peer)
            if self.peers.get(sender) is peer:
                await self._signal(sender, {"kind": "answer", "pc": pc_id, "sdp": peer.local_sdp()})
        elif kind == "answer":
            if peer is not None and peer.pc_id == pc_id:
                if peer.pc.signalingState == "have-local-offer":
                    await peer.pc.setRemoteDescription(
                        RTCSessionDescription(signal["sdp"], "answer")
                    )
                    self._negotiated(peer)
        elif kind == "media" and peer is not None and peer.pc_id == pc_id:
            assert peer.adapter is not None
            await peer.adapter.on_media_signal(signal)
        elif kind == "ice" and peer is not None and peer.pc_id == pc_id:
            cand = signal.get("candidate")  # browsers trickle; aiortc puts them in the SDP
            if cand and cand.get("candidate"):
                ice = candidate_from_sdp(cand["candidate"].split(":", 1)[-1])
                ice.sdpMid = cand.get("sdpMid")
                ice.sdpMLineIndex = cand.get("sdpMLineIndex")
                await peer.pc.addIceCandidate(ice)

    async def _consume(self, peer: Peer, track: MediaStreamTrack) -> None:
        await read_remote(
            peer,
            track,
            mixer=self._mixer,
            marks=self.marks,
            emit=self._emit,
            on_video_frame=self.on_video_frame,
        )

    async def drop(self, other: int) -> None:
        peer = self.peers.pop(other, None)
        if peer is not None:
            self._mixer.forget(peer.account_id)
            await peer.close()

    async def close_all(self) -> None:
        peers, self.peers = list(self.peers.values()), {}
        for peer in peers:
            self._mixer.forget(peer.account_id)
            await peer.close()

    def stats(self) -> dict:
        return {p.account_id: _peer_stats(p) for p in self.peers.values()}


def _peer_stats(peer: Peer) -> dict:
    out: dict[str, Any] = {
        "video_frames": peer.video_frames,
        "audio_frames": peer.audio_frames,
        "state": peer.pc.connectionState,
        "pc": peer.pc_id,
        "bytes_out": bytes_sent(peer.pc),
    }
    if peer.adapter is not None:
        out["sending"] = stats_of(peer.adapter)
    for transceiver in peer.pc.getTransceivers():
        buffer = buffer_of(transceiver.receiver)
        if buffer is not None:
            out[f"{transceiver.kind}_skipped"] = getattr(buffer, "skipped_packets", 0)
    return out
