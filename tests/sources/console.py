"""The installed console script, run as a user runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CONSOLE_SCRIPT = str(Path(sys.executable).with_name("domino-eks"))
SECONDS = 120  # far above any run, even on a loaded machine; a hang fails the test instead of stalling the suite


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([CONSOLE_SCRIPT, *args], capture_output=True, text=True, timeout=SECONDS,
                          stdin=subprocess.DEVNULL)
