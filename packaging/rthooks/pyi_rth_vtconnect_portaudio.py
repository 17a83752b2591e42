"""PyInstaller runtime hook: let sounddevice find the PortAudio library bundled on Linux.

sounddevice looks PortAudio up with ``ctypes.util.find_library("portaudio")``, which on Linux
asks the system (ldconfig) and so misses the copy inside the package; on a machine without the
libportaudio2 package the app would then have no sound. Windows and macOS builds carry
sounddevice's own PortAudio binaries, which it finds by itself.
"""


def _install() -> None:
    import ctypes.util
    import glob
    import os
    import sys

    if not sys.platform.startswith("linux"):
        return
    bundled = sorted(glob.glob(os.path.join(sys._MEIPASS, "libportaudio.so*")))
    if not bundled:
        return
    system_find_library = ctypes.util.find_library

    def find_library(name):
        if name == "portaudio":
            return bundled[0]
        return system_find_library(name)

    ctypes.util.find_library = find_library


_install()
del _install
