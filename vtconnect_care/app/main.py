"""`vtconnect-care`: the desktop app's entry point."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    print("The VTConnect Care desktop app is not built yet.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
