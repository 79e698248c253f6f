"""`dossier serve` (or `dossier worker`) for the browser tests, its clock set to the test
suite's instant (from which it ticks on), so the server and the test agree on today
whatever day it really is.

    python -m tests.e2e.serve_at 2026-11-24T10:00:00+08:00 [worker]
"""

import sys
from datetime import datetime

import time_machine

from backend.cli import main

if __name__ == "__main__":
    with time_machine.travel(datetime.fromisoformat(sys.argv[1]), tick=True):
        sys.exit(main(sys.argv[2:] or ["serve"]))
