"""Remember me keeps a session token (never a password) in the keyring, through `keyring`."""

from __future__ import annotations

import keyring
import pytest
from keyring.errors import KeyringError

from tests.helpers.keyring import MemoryKeyring
from vtconnect_care.client.session_store import SavedSession, SessionStore


@pytest.fixture
def ring():
    previous = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(previous)


def test_save_load_clear(ring):
    store = SessionStore()
    assert store.load("https://a.example.org") is None
    assert store.save("https://a.example.org", "alex.active", "tok-123")
    assert store.load("https://a.example.org") == SavedSession("alex.active", "tok-123")
    assert store.load("https://b.example.org") is None  # one entry per portal
    store.clear("https://a.example.org")
    store.clear("https://a.example.org")  # twice is fine
    assert ring.items == {}


def test_damaged_entry_is_ignored(ring):
    ring.set_password("VTConnect Care", "https://a.example.org", "no-newline")
    assert SessionStore().load("https://a.example.org") is None


class BrokenKeyring(MemoryKeyring):
    """TEST ONLY: a keyring whose back end fails (locked wallet, no D-Bus)."""

    def get_password(self, service, username):
        raise KeyringError("locked")

    def set_password(self, service, username, password):
        raise KeyringError("locked")

    def delete_password(self, service, username):
        raise KeyringError("locked")


def test_a_failing_keyring_does_not_raise():
    previous = keyring.get_keyring()
    keyring.set_keyring(BrokenKeyring())
    try:
        store = SessionStore()
        assert store.save("https://a.example.org", "u", "t") is False
        assert store.load("https://a.example.org") is None
        store.clear("https://a.example.org")
    finally:
        keyring.set_keyring(previous)


def test_availability(ring):
    from keyring.backends import fail

    assert SessionStore().available()
    keyring.set_keyring(fail.Keyring())
    assert not SessionStore().available()
