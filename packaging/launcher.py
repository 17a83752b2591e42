"""Entry point of the packaged desktop app: PyInstaller runs this file as ``__main__``.

A separate file (rather than vtconnect_care/app/main.py itself) keeps the app's package imports
intact: the frozen app imports ``vtconnect_care.app.main`` as a module, as the source tree does.

``--self-test`` goes straight to the self-test, before the app's own start-up code is imported:
it is the tool IT runs when an installed app does not start, so it must not depend on that
start-up working. (``vtconnect-care --self-test`` from a source install reaches the same
function through main.py.)
"""

import multiprocessing
import sys


def _entry() -> int:
    if "--self-test" in sys.argv[1:]:
        from vtconnect_care.app.self_test import run

        return run()
    from vtconnect_care.app.main import main

    return main()


if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(_entry())
