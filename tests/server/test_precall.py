"""The pre-call test peer (issue 18): who may test, the bounds on it, and a real run.

Offers come from real aiortc peer connections; the last test runs the app's own runner
(``client/precall.py``) against the server on a loopback socket (uvicorn in a thread), so ICE,
DTLS and SCTP are real and the figures are measured, not made up.
"""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import timedelta

import pytest
from aiortc import RTCConfiguration, RTCPeerConnection

from vtconnect_care.domain import precall as rules
from vtconnect_care.domain import precall_words as words
from vtconnect_care.server.precall import service as precall_service

API = "/api/v1"

pytestmark = pytest.mark.timeout(60)


def make_offer() -> str:
    """A real offer with the test's four channels (what the app sends), from a throwaway peer."""

    async def offer() -> str:
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        pc.createDataChannel(rules.CONTROL)
        pc.createDataChannel(rules.PROBE, ordered=False, maxRetransmits=0)
        await pc.setLocalDescription(await pc.createOffer())
        sdp = pc.localDescription.sdp
        await pc.close()
        return sdp

    return asyncio.run(offer())


@pytest.fixture(scope="module")
def offer() -> str:
    return make_offer()


def error(r, status: int) -> dict:
    assert r.status_code == status, r.text
    return r.json()["error"]


def kims_link(demo_api, as_user) -> str:
    kim = as_user("nurse.kim", "app")
    visits = demo_api.get(f"{API}/visits", headers=kim).json()["visits"]
    visit = next(v for v in visits if v["is_virtual"])
    r = demo_api.post(f"{API}/visits/{visit['id']}/copy-link", headers=kim)
    assert r.status_code == 200, r.text
    return r.json()["link"].rsplit("/", 1)[1]


def wait_until(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


# --- who may test --------------------------------------------------------------------------


def test_no_token_no_test(demo_api, offer):
    assert error(demo_api.get(f"{API}/precall"), 401)["code"] == "not_authenticated"
    r = demo_api.post(f"{API}/precall", json={"type": "offer", "sdp": offer})
    assert error(r, 401)["code"] == "not_authenticated"
    bad = {"Authorization": "Bearer not-a-token"}
    assert error(demo_api.post(f"{API}/precall", json={"sdp": offer}, headers=bad), 401)


def test_signed_in_people_get_the_ice_servers_and_an_answer(demo_api, demo_app, as_user, offer):
    for who in ("alex.active", "bea.active", "dr.patel"):
        headers = as_user(who, "app")
        config = demo_api.get(f"{API}/precall", headers=headers).json()
        assert config["enabled"] is True and config["ice_servers"] == []
        r = demo_api.post(f"{API}/precall", json={"type": "offer", "sdp": offer}, headers=headers)
        assert r.status_code == 200, r.text
        answer = r.json()
        assert answer["type"] == "answer" and "a=candidate:" in answer["sdp"]  # not trickled
    assert precall_service.of(demo_app).running == 3


def test_a_portal_sign_in_may_not_test(demo_api, demo_app, as_user, offer):
    """Issue 12: the test is the app's and the visit page's; a portal token is refused."""
    codes = []
    for who in ("olivia.admin", "alex.active"):
        headers = as_user(who, "portal")
        assert error(demo_api.get(f"{API}/precall", headers=headers), 401)
        r = demo_api.post(f"{API}/precall", json={"type": "offer", "sdp": offer}, headers=headers)
        codes.append(error(r, 401)["code"])
    assert codes == ["wrong_audience", "wrong_audience"]
    assert precall_service.of(demo_app).running == 0


def test_a_visit_link_holder_may_test_until_the_link_is_over(demo_api, as_user, offer, clock):
    link = {"Authorization": f"Bearer {kims_link(demo_api, as_user)}"}
    assert demo_api.get(f"{API}/precall", headers=link).status_code == 200
    r = demo_api.post(f"{API}/precall", json={"sdp": offer}, headers=link)
    assert r.status_code == 200, r.text
    clock.advance(timedelta(days=1))  # R-VISIT-8: the link has expired
    refused = error(demo_api.get(f"{API}/precall", headers=link), 403)
    assert refused["code"] == "expired"


def test_a_bad_offer_is_refused_and_frees_its_place(demo_api, demo_app, as_user):
    headers = as_user("alex.active", "app")
    r = demo_api.post(f"{API}/precall", json={"sdp": "v=0 nonsense offer"}, headers=headers)
    assert error(r, 400)["code"] == "bad_offer"
    assert precall_service.of(demo_app).running == 0


# --- the bounds ----------------------------------------------------------------------------


def test_turned_off_by_the_setting(demo_settings, offer):
    from fastapi.testclient import TestClient

    from tests.conftest import login_headers
    from vtconnect_care.server.app import create_app

    demo_settings.precall_enabled = False
    with TestClient(create_app(demo_settings)) as api:
        headers = login_headers(api, "alex.active", audience="app")
        for r in (
            api.get(f"{API}/precall", headers=headers),
            api.post(f"{API}/precall", json={"sdp": offer}, headers=headers),
        ):
            refused = error(r, 404)
            assert refused == {"code": "precall_disabled", "message": words.DISABLED}


def test_the_setting_comes_from_the_environment(monkeypatch):
    from vtconnect_care.server.settings import Settings

    assert Settings.from_env().precall_enabled is True
    monkeypatch.setenv("VTCONNECT_PRECALL", "0")
    assert Settings.from_env().precall_enabled is False


def test_over_the_concurrency_bound_is_429(demo_settings, offer):
    from fastapi.testclient import TestClient

    from tests.conftest import login_headers
    from vtconnect_care.server.app import create_app

    demo_settings.precall_concurrent = 2
    app = create_app(demo_settings)
    with TestClient(app) as api:
        people = [login_headers(api, u, audience="app") for u in ("alex.active", "bea.active")]
        for headers in people:
            assert api.post(f"{API}/precall", json={"sdp": offer}, headers=headers).is_success
        third = login_headers(api, "dr.patel", audience="app")
        r = api.post(f"{API}/precall", json={"sdp": offer}, headers=third)
        assert error(r, 429) == {"code": "precall_busy", "message": words.BUSY}
        assert r.headers["Retry-After"] == "15"
        service = precall_service.of(app)
        assert service.running == 2
    assert service.running == 0 and service.peers == {}  # shutdown closes every peer


def test_each_tester_is_rate_limited(demo_settings, offer):
    from fastapi.testclient import TestClient

    from tests.conftest import login_headers
    from vtconnect_care.server.app import create_app

    demo_settings.precall_per_window = 2
    with TestClient(create_app(demo_settings)) as api:
        alex = login_headers(api, "alex.active", audience="app")
        for _ in range(2):
            assert api.post(f"{API}/precall", json={"sdp": offer}, headers=alex).is_success
        r = api.post(f"{API}/precall", json={"sdp": offer}, headers=alex)
        refused = error(r, 429)
        assert refused["code"] == "rate_limited"
        assert refused["message"].startswith(words.TOO_OFTEN.split("{")[0])
        assert 0 < int(r.headers["Retry-After"]) <= 15 * 60 + 1  # the rate window
        bea = login_headers(api, "bea.active", audience="app")  # others are not held up
        assert api.post(f"{API}/precall", json={"sdp": offer}, headers=bea).is_success


def test_a_peer_is_closed_at_its_time_limit_whatever_happens(demo_settings, offer):
    from fastapi.testclient import TestClient

    from tests.conftest import login_headers
    from vtconnect_care.server.app import create_app

    demo_settings.precall_max_seconds = 0.5
    app = create_app(demo_settings)
    with TestClient(app) as api:
        alex = login_headers(api, "alex.active", audience="app")
        assert api.post(f"{API}/precall", json={"sdp": offer}, headers=alex).is_success
        service = precall_service.of(app)
        assert service.running == 1
        wait_until(lambda: service.running == 0, timeout=5)  # nobody ever connected
        assert service.peers == {}


# --- a real test run -----------------------------------------------------------------------


class LoopbackServer:
    """The ASGI app on a real socket (uvicorn in a thread), for the app's runner to reach."""

    def __init__(self, app) -> None:
        import uvicorn

        from tests.helpers.server import free_port

        self.port = free_port()
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LoopbackServer:
        self.thread.start()
        wait_until(lambda: self.server.started)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def test_a_real_test_run_between_the_apps_runner_and_the_servers_peer(demo_app, caplog):
    from tests.helpers.rest import login
    from vtconnect_care.client.precall import run_precall

    with LoopbackServer(demo_app) as server:
        token = login(server.url, "alex.active")["Authorization"].split()[1]
        phases: list[str] = []
        with caplog.at_level("INFO", logger="vtconnect.precall"):
            result = asyncio.run(
                run_precall(server.url, token, seconds=4, on_phase=lambda p: phases.append(p))
            )
    assert phases == ["ready", "probing", "upload", "download", "reported", "closed"]
    assert result.rtt_ms is not None and 0 <= result.rtt_ms < 200
    assert result.loss_up <= 0.05 and result.loss_down <= 0.05
    # a loopback carries all the test sends: its ceiling, each way, measured where it arrived
    assert 0.8 * rules.MAX_KBPS <= result.up_kbps <= 1.05 * rules.MAX_KBPS
    assert 0.8 * rules.MAX_KBPS <= result.down_kbps <= 1.05 * rules.MAX_KBPS
    assert result.word == "Good" and result.verdict is words.Verdict.GOOD
    assert result.seconds < 10
    assert precall_service.of(demo_app).running == 0  # the peer went once it had answered
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "for client:alex.active: Good" in logged and token not in logged


def test_the_visit_page_carries_the_check_and_its_sentences(demo_api, demo_settings, as_user):
    token = kims_link(demo_api, as_user)
    html = demo_api.get(f"/visit/{token}").text
    assert 'id="precall-data"' in html and "/static/visit/precall.js" in html
    assert words.page_texts()["intro"] in html
    demo_settings.precall_enabled = False  # the same app: the setting is read per page
    html = demo_api.get(f"/visit/{token}").text
    assert "precall" not in html and "Join the video visit" in html
