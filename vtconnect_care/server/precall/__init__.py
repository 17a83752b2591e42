"""The pre-call connection test's peer in the portal server (docs/protocol.md).

``access.py`` who may test (a session token or a valid visit link) and the rate limit;
``service.py`` the running peers and the bound on them; ``peer.py`` one aiortc test peer. The
plan, the counting and the verdict are ``domain/precall.py``; the route is ``api/precall.py``.
"""
