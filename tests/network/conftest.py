"""The network lab's tests: each skips, with the lab's own reason, where labs cannot run."""

from __future__ import annotations

import pytest

from tests.helpers.netlab import available


@pytest.fixture(scope="session", autouse=True)  # before the module-scoped call fixtures
def _lab_available() -> None:
    ok, why = available()
    if not ok:
        pytest.skip(f"network lab unavailable: {why}")
