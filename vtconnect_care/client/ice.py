"""ICE server lists for aiortc, always explicit: never a fallback to a public STUN host."""

from __future__ import annotations

from aiortc import RTCConfiguration, RTCIceServer


def rtc_configuration(servers: list[dict] | None) -> RTCConfiguration:
    """The portal's list ({"urls", "username"?, "credential"?} each) as an RTCConfiguration.

    ``None`` or ``[]`` both give an empty list: host candidates only (LAN, loopback). aiortc
    itself would use stun.l.google.com when given None (docs/pitfalls.md).
    """
    out: list[RTCIceServer] = []
    for server in servers or []:
        urls = server.get("urls")
        if not urls:
            continue
        out.append(
            RTCIceServer(
                urls=urls, username=server.get("username"), credential=server.get("credential")
            )
        )
    return RTCConfiguration(iceServers=out)
