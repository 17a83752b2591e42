"""A schema-driven fuzz run over every operation of /openapi.json (issue 12): no 5xx, ever.

Schemathesis turns each operation's schema into Hypothesis strategies; valid and invalid
requests (positive and negative generation) go through the app in process with an Org Admin's
token, at least MIN_REQUESTS of them within TIME_BUDGET seconds. Seeds are fixed per round, so
a failure replays. Operations that would end the admin's own session are run too, and the
admin signs in again when the token has gone.
"""

from __future__ import annotations

import time
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from tests.conftest import login_headers

MIN_REQUESTS = 1_000
TIME_BUDGET = 100.0  # seconds of generating and sending, at most
PER_OPERATION = 12  # examples per operation and generation mode, per round
# the pre-call test starts a real WebRTC peer per request; password hashing (Argon2id) costs
# ~0.1 s a request: a few of each, the budget goes to the rest
FEW = {
    "POST /api/v1/precall": 1,
    "POST /api/v1/auth/login": 4,
    "POST /api/v1/auth/password/change": 4,
    "POST /api/v1/auth/password/reset": 4,
    "POST /api/v1/auth/two-factor/disable": 4,
    "POST /api/v1/public/orgs/{slug}/register": 4,
    "POST /api/v1/public/setup-account": 4,
}

AUDIENCES = ("portal", "app")

pytestmark = pytest.mark.slow


def test_fuzzing_every_operation_with_an_org_admins_token_finds_no_5xx(demo_api):
    schema = schemathesis.openapi.from_asgi("/openapi.json", demo_api.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    tokens = {aud: login_headers(demo_api, "olivia.admin", audience=aud) for aud in AUDIENCES}
    audience_of: dict[str, str] = {}  # an operation's audience, learnt from its first answer
    sent: Counter[str] = Counter()
    spent: Counter[str] = Counter()
    failures: list[str] = []
    started = time.monotonic()

    def send(case, label: str):
        """The case through the test's own client (one app, one lifespan), as the admin signed
        in for the audience the operation serves (the app's or the portal's)."""
        kwargs = case.as_transport_kwargs(headers=tokens[audience_of.get(label, "portal")])
        data = kwargs.pop("data", None)
        if isinstance(data, str | bytes):
            kwargs["content"] = data
        elif data is not None:
            kwargs["data"] = data
        kwargs.pop("cookies", None)  # the API takes none (the portal's pages are not in it)
        allowed = ("method", "url", "headers", "params", "json", "content", "data", "files")
        return demo_api.request(**{k: v for k, v in kwargs.items() if k in allowed})

    def run(operation, mode: GenerationMode, examples: int, round_seed: int) -> None:
        @seed(round_seed)
        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.generate],  # failures are collected, not shrunk
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def one(case) -> None:
            if time.monotonic() - started > TIME_BUDGET:
                return
            response = send(case, operation.label)
            sent[operation.label] += 1
            if response.status_code >= 500:
                failures.append(
                    f"{operation.label} -> {response.status_code}: "
                    f"{case.path_parameters} {case.query} {str(case.body)[:200]} "
                    f"{response.text[:200]}"
                )
            if response.status_code == 401:
                code = response.json()["error"]["code"]
                if code == "wrong_audience" and operation.label not in audience_of:
                    audience_of[operation.label] = "app"
                elif code == "session_expired":  # it ended the admin's own session: again
                    aud = audience_of.get(operation.label, "portal")
                    tokens[aud] = login_headers(demo_api, "olivia.admin", audience=aud)

        began = time.monotonic()
        try:
            one()
        except Unsatisfiable:
            pass  # nothing to make invalid (an operation without parameters or body)
        spent[operation.label] += time.monotonic() - began

    round_no = 0
    while sum(sent.values()) < MIN_REQUESTS and time.monotonic() - started < TIME_BUDGET:
        for operation in operations:
            if time.monotonic() - started > TIME_BUDGET:
                break
            examples = FEW.get(operation.label, PER_OPERATION)
            for n, mode in enumerate((GenerationMode.POSITIVE, GenerationMode.NEGATIVE)):
                run(operation, mode, examples, round_seed=10 * round_no + n)
        round_no += 1
    total = sum(sent.values())
    print(
        f"fuzz: {total} requests over {len(sent)} operations in {round_no} rounds, "
        f"{time.monotonic() - started:.1f} s"
    )
    print("slowest:", [(k, round(v, 1), sent[k]) for k, v in spent.most_common(8)])
    assert not failures, "\n".join(failures[:20])
    assert total >= MIN_REQUESTS, (total, sent)
    assert len(sent) >= len(operations) - 2  # every operation was reached
