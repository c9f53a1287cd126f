"""The README's "run the emulator yourself" recipe, run as written: `domino-eks emulator` in a second process,
then the shell lines against it. Only the port differs, a free one, so parallel test runs do not collide."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

BIN = Path(sys.executable).parent


def recipe() -> list[str]:
    text = (ROOT / "README.md").read_text()
    block = re.search(r"<!-- emulator-recipe -->\n```sh\n(.*?)```", text, re.S)
    assert block, "the README lost its emulator recipe"
    return [line.split("#", 1)[0].strip() for line in block.group(1).splitlines()]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
def test_the_readme_emulator_recipe_works_as_written(tmp_path):
    first, *steps = recipe()
    assert first == "domino-eks emulator" and steps[0] == "export DOMINO_EKS_ENDPOINT_URL=http://127.0.0.1:5000"
    port = free_port()
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    server = subprocess.Popen([*first.split(), "--port", str(port)], stdout=subprocess.PIPE, text=True, env=env,
                              cwd=tmp_path, start_new_session=True)
    try:
        assert server.stdout is not None
        announced = [server.stdout.readline(), server.stdout.readline()]
        assert announced == [f"AWS emulator listening on http://127.0.0.1:{port} (Ctrl-C stops it). In another "
                             "shell:\n", f"export DOMINO_EKS_ENDPOINT_URL=http://127.0.0.1:{port}\n"]
        script = "set -e\n" + "\n".join(steps).replace(":5000", f":{port}") + "\n"
        done = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, done.stderr
        assert re.search(r"\b0 to create\b|\bunchanged\b", done.stdout), done.stdout
    finally:
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=30) == 0
