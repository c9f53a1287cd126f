"""What the embedded emulator costs a command: `plan` with the default target against `plan` with an emulator
already running.

Both run as a user types them, each a whole `domino-eks` process, taking turns so both see the same load:

    embedded  domino-eks plan examples/single-az.yaml                      (starts its own emulator)
    running   domino-eks plan examples/single-az.yaml --endpoint-url URL   (`domino-eks emulator`, started once
                                                                             and answered one plan before timing)

It prints each one's median wall time over the repetitions and embedded / running (the goal is <= 3.5).

Run: python bench/emulator_start.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "examples" / "single-az.yaml"
COMMAND = [sys.executable, "-m", "domino_eks.cli"]
GOAL = 3.5


@contextmanager
def emulator_running() -> Iterator[str]:
    """`domino-eks emulator` on a free port, in a process of its own; yields its URL."""
    server = subprocess.Popen([*COMMAND, "emulator", "--port", "0"], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        assert server.stdout is not None
        announced = server.stdout.readline()
        yield announced.split(" listening on ", 1)[1].split()[0]
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)


def timed_plan(*extra: str) -> float:
    """The wall time of one `domino-eks plan` of the example spec, which must succeed."""
    started = time.perf_counter()
    done = subprocess.run([*COMMAND, "plan", str(SPEC), *extra], capture_output=True, text=True,
                          env={k: v for k, v in os.environ.items() if k != "DOMINO_EKS_ENDPOINT_URL"})
    wall = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"plan {' '.join(extra)} failed ({done.returncode}):\n{done.stderr}")
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    repeat = parser.parse_args().repeat
    embedded: list[float] = []
    running: list[float] = []
    with emulator_running() as url:
        timed_plan("--endpoint-url", url)  # the running emulator has served a plan before: warm, as it is in use
        for _ in range(repeat):
            embedded.append(timed_plan())
            running.append(timed_plan("--endpoint-url", url))
    embedded_s, running_s = statistics.median(embedded), statistics.median(running)
    print(f"plan {SPEC.relative_to(ROOT)}, median of {repeat}: embedded {embedded_s:.2f} s, "
          f"running emulator {running_s:.2f} s")
    print(f"embedded plan / running-emulator plan = {embedded_s / running_s:.2f} (goal <= {GOAL})")


if __name__ == "__main__":
    main()
