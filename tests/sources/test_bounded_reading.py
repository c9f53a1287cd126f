"""Reading is bounded: what is not a small regular file of UTF-8 YAML is refused at once, with its place."""

from __future__ import annotations

import os

import pytest

from domino_eks.sources.yamlfile import MAX_BYTES, MAX_DEPTH, MAX_NODES
from tests.sources.console import run

HEAD = "apiVersion: domino-eks.io/v1alpha1\nkind: DominoCluster\n"


def validate(path) -> tuple[int, str]:
    done = run("validate", str(path))
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    return done.returncode, done.stderr.replace(str(path), "FILE")


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "spec.yaml"
    os.mkfifo(fifo)
    assert validate(fifo) == (2, "error: FILE: is a FIFO (named pipe), expected a YAML file\n")


def test_a_device_is_refused():
    assert validate("/dev/zero") == (2, "error: FILE: is a device, expected a YAML file\n")


def test_a_directory_is_refused(tmp_path):
    code, stderr = validate(tmp_path)
    assert (code, stderr.splitlines()[-1]) == (2, "Error: Invalid value for 'FILE': File 'FILE' is a directory.")


def test_a_file_over_the_limit_is_refused_unread(tmp_path):
    big = tmp_path / "spec.yaml"
    big.write_text(HEAD + "# " + "x" * MAX_BYTES + "\n")
    size = big.stat().st_size
    assert validate(big) == (2, f"error: FILE: is {size:,} bytes, over the {MAX_BYTES:,}-byte limit for a spec or "
                                "ClusterConfig\n")


def test_a_billion_laughs_document_stops_at_the_node_limit(tmp_path):
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    laughs = tmp_path / "spec.yaml"
    laughs.write_text(HEAD + "\n".join(lines) + "\nstorage: {blockStorageClass: {parameters: {type: *a8}}}\n")
    assert validate(laughs) == (2, f"error: FILE: expands to more than {MAX_NODES:,} values (aliases of aliases?): "
                                   "not a spec or ClusterConfig\n")


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1200])  # 1200: past Python's recursion limit
def test_deep_nesting_is_refused_without_a_recursion_error(tmp_path, depth):
    deep = tmp_path / "spec.yaml"
    deep.write_text(HEAD + "metadata: " + "[" * depth + "]" * depth + "\n")
    code, stderr = validate(deep)
    assert code == 2
    assert stderr.startswith("error: FILE") and stderr.endswith(f"nested too deeply: at most {MAX_DEPTH} levels "
                                                                "expected\n")


@pytest.mark.parametrize(("character", "name"), [("\a", "0007"), ("\0", "0000")])
def test_a_control_character_is_located(tmp_path, character, name):
    spec = tmp_path / "spec.yaml"
    spec.write_text(HEAD + f"metadata: {{name: de{character}mo}}\n")
    assert validate(spec) == (2, f"error: FILE:3:20: control character U+{name} is not allowed in YAML (remove it, "
                                 "or write it as an escape in a double-quoted string)\n")


def test_bytes_that_are_not_utf8_are_located(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_bytes(HEAD.encode() + b"metadata: {name: caf\xe9}\n")
    assert validate(spec) == (2, "error: FILE:3:21: not UTF-8 text: byte 0xe9 cannot start or continue a character "
                                 "(save the file as UTF-8)\n")


def test_an_integer_too_long_to_convert_is_refused(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(HEAD + "metadata: {name: demo, region: us-west-2}\nnodePools: [{minSize: " + "9" * 5000 + "}]\n")
    code, stderr = validate(spec)
    assert code == 2 and stderr.startswith("error: FILE: invalid YAML: ")
