"""The README's Examples and Provisioning blocks, run as written through the installed console script.

Each command runs in one folder, in the order the README lists them; `cluster.yaml` is the page's own multi-AZ
sample, which the README says `validate` judges with one error (exit 3). Provisioning runs on the default
target, the embedded emulator, which lives for each command.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PAGE_MULTI_AZ, ROOT

BIN = Path(sys.executable).parent
EXPECTED_EXIT = {"domino-eks validate cluster.yaml": 3}  # the README: "one error, exit 3"


def block_after(heading: str) -> list[str]:
    """The commands of the first ```sh block under `heading`, comments and continuation-comment lines dropped."""
    section = (ROOT / "README.md").read_text().split(heading, 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, f"the README lost its {heading} commands"
    commands = (line.split("#", 1)[0].strip() for line in block.group(1).splitlines())
    return [command for command in commands if command]


def run(command: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_the_readme_examples_and_provisioning_commands_work_as_written(tmp_path):
    shutil.copy(PAGE_MULTI_AZ, tmp_path / "cluster.yaml")
    commands = block_after("## Examples") + block_after("## Provisioning")
    assert commands[0].startswith("domino-eks init") and any(" apply " in c for c in commands)
    assert {shlex.split(command)[0] for command in commands} == {"domino-eks"}
    for command in commands:
        done = run(command, tmp_path)
        assert done.returncode == EXPECTED_EXIT.get(command, 0), f"{command}\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stderr, command
    assert (tmp_path / "out" / "eksctl" / "cluster.yaml").is_file()
    assert (tmp_path / "out" / "installer" / "domino.yml").is_file()
