"""How `domino-eks check --from-file` scales on lean kubectl dumps (bench/lean_dump.py) of 5k, 20k and 50k nodes.

For each size it prints, all measured in this run (best of five, the two sides of a ratio interleaved):

    in-process  check through the CLI in this interpreter / json.load of the same file here (goal at 20k <= 1.0)
    command     the `domino-eks check` process / a bare `python -c "import json; json.load(...)"` (goal <= 1.5)
    rss         the peak resident memory of each of those two processes, and each / the file's size
                (goal: the command's no more than the bare json.load process's)

The package's bytecode is compiled first, as installing it does (pip writes the .pyc files of what it installs): an
editable checkout run with PYTHONDONTWRITEBYTECODE set (as this machine's shells are) would otherwise compile
sixty-odd modules from source in every `domino-eks` process, a cost no installed command pays.

Each time ratio is printed twice: of wall time, and of CPU time (user + system), which other processes
competing for the cores do not stretch, so on a shared machine it is the one that holds from run to run.
Not a test: it times things, and the tests never assert on time. Read the ratios, which compare runs made
side by side, rather than the seconds.

Run: python bench/check_scale.py [--nodes 5000 20000 50000]
"""

from __future__ import annotations

import argparse
import compileall
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import domino_eks
from lean_dump import write_lean_dump

ROUNDS = 5
COMMAND = [str(Path(sys.executable).with_name("domino-eks")), "check", "--format", "json", "--from-file"]
BARE_JSON_LOAD = [sys.executable, "-c", "import json, sys; json.load(open(sys.argv[1]))"]


class Timing(NamedTuple):
    wall: float
    cpu: float


def best_pair(first: Callable[[], Timing], second: Callable[[], Timing]) -> tuple[Timing, Timing]:
    """The best of ROUNDS timings of each, taken in turns so that both see the same load."""
    firsts, seconds = [], []
    for _ in range(ROUNDS):
        firsts.append(first())
        seconds.append(second())
    return best(firsts), best(seconds)


def best(timings: list[Timing]) -> Timing:
    return Timing(min(t.wall for t in timings), min(t.cpu for t in timings))


def timed(action: Callable[[], object]) -> Timing:
    start, start_cpu = time.perf_counter(), time.process_time()
    action()
    return Timing(time.perf_counter() - start, time.process_time() - start_cpu)


def json_load(path: Path) -> None:
    with open(path, encoding="utf-8") as handle:
        json.load(handle)


def check_in_process(path: Path) -> None:
    from click.testing import CliRunner

    from domino_eks.cli import cli

    outcome = CliRunner().invoke(cli, ["check", "--from-file", str(path), "--format", "json"])
    if outcome.exit_code not in (0, 3, 4):
        raise RuntimeError(f"check failed ({outcome.exit_code}): {outcome.output[-2000:]}")


# Starts a process and prints its wall time, CPU time and peak RSS. A forked child's ru_maxrss starts at its parent's
# (and survives execve), so the process is started from this small interpreter, not from the bench, which
# holds a checked dump in memory by then.
LAUNCHER = """
import os, subprocess, sys, time
start = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
print(time.perf_counter() - start, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024,
      os.waitstatus_to_exitcode(status))
"""


class Process:
    """A finished process's wall and CPU time and peak resident memory (bytes)."""

    def __init__(self, argv: list[str]) -> None:
        launched = subprocess.run([sys.executable, "-c", LAUNCHER, *argv], capture_output=True, text=True,
                                  check=True)
        seconds, cpu, peak_rss, code = launched.stdout.split()
        if int(code) not in (0, 3, 4):
            raise RuntimeError(f"{argv[0]} exited {code}")
        self.timing, self.peak_rss = Timing(float(seconds), float(cpu)), int(peak_rss)


def measure(nodes: int, scratch: Path) -> None:
    path = write_lean_dump(scratch / f"lean-{nodes}.json", nodes)
    size = path.stat().st_size
    check_in_process(path)  # imports and first-use caches are not what this measures
    check, load = best_pair(lambda: timed(lambda: check_in_process(path)), lambda: timed(lambda: json_load(path)))
    commands, bares = [], []
    for _ in range(ROUNDS):
        commands.append(Process([*COMMAND, str(path)]))
        bares.append(Process([*BARE_JSON_LOAD, str(path)]))
    command, bare = best([p.timing for p in commands]), best([p.timing for p in bares])
    command_rss, bare_rss = max(p.peak_rss for p in commands), max(p.peak_rss for p in bares)
    print(f"nodes={nodes:<6} file={size / 1e6:6.1f}MB  "
          f"in-process check/json.load={check.wall / load.wall:.2f} ({check.wall:.3f}s/{load.wall:.3f}s) "
          f"cpu {check.cpu / load.cpu:.2f}  "
          f"command/bare={command.wall / bare.wall:.2f} ({command.wall:.3f}s/{bare.wall:.3f}s) "
          f"cpu {command.cpu / bare.cpu:.2f} ({command.cpu:.3f}s/{bare.cpu:.3f}s)  "
          f"rss command/bare={command_rss / bare_rss:.2f} ({command_rss / 1e6:.0f}MB/{bare_rss / 1e6:.0f}MB; "
          f"per file size {command_rss / size:.2f}/{bare_rss / size:.2f})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, nargs="+", default=[5000, 20000, 50000])
    arguments = parser.parse_args()
    compileall.compile_dir(Path(domino_eks.__file__).parent, quiet=1)
    with tempfile.TemporaryDirectory() as scratch:
        for nodes in arguments.nodes:
            measure(nodes, Path(scratch))


if __name__ == "__main__":
    main()
