"""`python -m vtconnect_care.app.self_test`: the same as `vtconnect-care --self-test`."""

import sys

from . import run

sys.exit(run())
