"""The shell: what the AppController asks of the window it runs in (the main window is one).

The controller decides and calls the services; the shell shows. It never hands out its
widgets, so the controller does not know how the screens are built, and tests can drive the
controller with a small hand-written shell.
"""

from __future__ import annotations

from typing import Protocol

from .devices import DeviceProvider


class Shell(Protocol):
    # --- the window ------------------------------------------------------------------------

    async def ask_portal(self, current: str | None) -> str | None:
        """Ask for the organisation's portal address; None when the person cancels."""
        ...

    def close(self) -> bool:
        """Close the window (the person gave no portal address)."""
        ...

    # --- devices ---------------------------------------------------------------------------

    def device_provider(self) -> DeviceProvider:
        """The devices offered in the device test panel (and to calls)."""
        ...

    def set_device_provider(self, provider: DeviceProvider) -> None: ...

    def release_devices(self) -> None:
        """Stop every device test (a call is about to open the camera)."""
        ...

    # --- sign-in ---------------------------------------------------------------------------

    def set_portal(self, url: str, can_change: bool) -> None: ...

    def set_remember_available(self, available: bool) -> None:
        """No keyring: Remember me cannot work, and the form says so."""
        ...

    def reset_login(self, username: str | None, remember: bool) -> None:
        """An empty sign-in form (no password, no message), the username kept."""
        ...

    def show_login(self) -> None: ...

    def set_busy(self, busy: bool, text: str | None = None) -> None:
        """The sign-in form while a request runs ("Signing in…" unless ``text`` says else)."""
        ...

    def submit_login(self) -> None:
        """Sign in again with what is in the form (Retry)."""
        ...

    def ask_code(self, text: str, *, error: bool = False) -> None:
        """Two-step sign-in: the form keeps username and password and asks for the code."""
        ...

    # --- messages --------------------------------------------------------------------------

    def show_message(self, text: str, *, error: bool = False, retry: bool = False) -> None:
        """A sentence on the screen in front: the sign-in form, else the home screen.
        ``retry`` offers Retry beside an error on the sign-in form."""
        ...

    # --- home ------------------------------------------------------------------------------

    def show_home(self, account: dict) -> None:
        """The signed-in person's home (the Appointment screen for staff); no password kept."""
        ...

    def show_staff_home(self, account: dict, today: dict, candidates: dict) -> None:
        """Today's appointments and whom the practitioner can host; the message cleared."""
        ...

    def show_client_home(self, account: dict, practitioners: list, upcoming: list) -> None:
        """A client's practitioners and upcoming appointments; the message cleared."""
        ...

    def show_signed_out(self) -> None:
        """Nobody signed in: no name in the header, the sign-in form in front."""
        ...
