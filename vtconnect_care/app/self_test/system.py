"""Self-test checks of the computer's side: the sound system, the keyring, the config file."""

from __future__ import annotations

import sys

from .common import CheckError, frozen


def check_audio_system(context: dict) -> str:
    from vtconnect_care.client.media.devices import load_sounddevice

    sd = load_sounddevice()
    if sd is None:
        if frozen():
            raise CheckError("the PortAudio library is missing from this package")
        return "PortAudio not installed: the app plays to a null sink (install libportaudio2)"
    version = sd.get_portaudio_version()[1].split(",")[0]
    library = str(getattr(sd, "_libname", "") or "")
    bundle = getattr(sys, "_MEIPASS", None)
    where = "from this package" if bundle and library.startswith(bundle) else f"from {library}"
    version = f"{version} {where}"
    try:
        outputs = sum(1 for d in sd.query_devices() if d["max_output_channels"] > 0)
    except Exception as exc:  # noqa: BLE001 - PortAudioError: no sound system at all
        return f"{version}; no sound devices ({exc})"
    return f"{version}; {outputs} output device(s)"


# The OS keyring backend that "Remember me" uses, by platform: (module, class, must be usable).
KEYRING_BACKENDS = {
    "win32": ("keyring.backends.Windows", "WinVaultKeyring", True),
    "darwin": ("keyring.backends.macOS", "Keyring", True),
}
# Linux: the Secret Service needs a desktop session's D-Bus and keyring daemon, which servers
# and CI lack, so only its libraries (secretstorage, jeepney) must be present.
LINUX_KEYRING = ("keyring.backends.SecretService", "Keyring", False)


def check_keyring(context: dict) -> str:
    import importlib

    import keyring

    module_name, class_name, must_work = KEYRING_BACKENDS.get(sys.platform, LINUX_KEYRING)
    try:
        module = importlib.import_module(module_name)
        if not must_work:
            importlib.import_module("secretstorage")
    except ImportError as exc:
        raise CheckError(f"the system keyring backend {module_name} is missing ({exc})") from exc
    backend_class = getattr(module, class_name)
    if must_work and not backend_class.viable:
        raise CheckError(f"the system keyring ({module_name}) cannot be used on this computer")
    in_use = type(keyring.get_keyring())
    return f"{module_name} present; in use here: {in_use.__module__}.{in_use.__name__}"


def check_system_config(context: dict) -> str:
    from vtconnect_care.client.app_config import load_system_config

    config = load_system_config()
    if config.problem:
        raise CheckError(f"{config.path} is ignored: {config.problem}")
    if config.path is not None and not config.path.exists():
        return f"none at {config.path} (the user picks the portal)"
    locked = "" if config.allow_portal_change else ", locked"
    portal = config.portal_url or "(none)"
    return f"{config.path}: portal {portal}{locked}, devices {config.devices}"
