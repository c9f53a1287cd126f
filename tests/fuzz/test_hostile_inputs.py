"""Hostile inputs to every command that reads a file, through the installed console script: each ends with the
exit code and message written here, never a traceback, within the console's timeout, and a refusal (exit 2)
writes nothing to the output folder.

Specs go through `validate` and `render -o DIR`; dumps through `check --from-file`; output paths through
`render -o` and `init -o`. Each case is a kind of bad input a user, a script or an attacker can hand the tool.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from domino_eks.sources.dump import MAX_DUMP_BYTES, MAX_DUMP_DEPTH
from domino_eks.sources.yamlfile import MAX_BYTES, MAX_DEPTH
from tests.check.support import CLUSTER_LIST
from tests.conftest import EXAMPLES, PAGE_SINGLE_AZ
from tests.sources.console import run

SPEC = (EXAMPLES / "single-az.yaml").read_text()
EKSCTL = PAGE_SINGLE_AZ.read_text()
LIST = CLUSTER_LIST.read_text()
DOCUMENTED_EXITS = {0, 2, 3, 4}


def replaced(old: str, new: str, text: str = SPEC) -> str:
    assert old in text
    return text.replace(old, new, 1)


def kubectl_list(*items: object) -> str:
    return json.dumps({"apiVersion": "v1", "kind": "List", "items": list(items)})


# name: (file content, exit code, the message's last line with the file written FILE)
SPECS: dict[str, tuple[str | bytes, int, str | None]] = {
    "empty file": ("", 2, "error: FILE:1:1: the file is empty; expected a YAML mapping"),
    "only comments": ("# a spec\n# comes here\n", 2, "error: FILE:1:1: the file is empty; expected a YAML mapping"),
    "a list at the top": ("- a\n- b\n", 2, "error: FILE:1:1: expected a YAML mapping at the top, found a list"),
    "a number at the top": ("42\n", 2, "error: FILE:1:1: expected a YAML mapping at the top, found a number"),
    "byte-order mark": (b"\xef\xbb\xbf" + SPEC.encode(), 0, None),
    "CRLF line ends": (SPEC.replace("\n", "\r\n").encode(), 0, None),
    "JSON (which is YAML)": (json.dumps({"apiVersion": "domino-eks.io/v1alpha1", "kind": "DominoCluster",
                                         "metadata": {"name": "demo", "region": "us-west-2"}, "nodePools": []}),
                             3, None),
    "a tab as indentation": (replaced("  name:", "\tname:"), 2,
                             "error: FILE:6:1: invalid YAML: while scanning for the next token found character "
                             "'\\t' that cannot start any token"),
    "a key twice": (SPEC + "metadata:\n  name: other\n", 2,
                    'error: FILE:35:1: invalid YAML: while constructing a mapping found duplicate key "metadata" '
                    'with value "{\'name\': \'other\'}" (original value: "{\'name\': \'domino-test-cluster\', '
                    '\'region\': \'us-west-2\'}")'),
    "python object tag at the top": ("!!python/object/apply:os.system ['echo owned']\n", 2,
                                     "error: FILE:1:1: expected a YAML mapping at the top, found a list"),
    "python object tag in a value": (replaced("region: us-west-2", "region: !!python/object/apply:os.system "
                                                                   "['echo owned']"), 2,
                                     "error: FILE:7:3: the YAML tag !!python/object/apply:os.system is not "
                                     "supported: write the plain value"),
    "CloudFormation tag": (replaced("region: us-west-2", "region: !Ref Region"), 2,
                           "error: FILE:7:3: the YAML tag !Ref is not supported: write the plain value"),
    "local tag on a mapping": (replaced("metadata:\n", "metadata: !cluster\n"), 2,
                               "error: FILE:5:1: the YAML tag !cluster is not supported: write the plain value"),
    "!!str is a string": (replaced("region: us-west-2", "region: !!str us-west-2"), 0, None),
    "a timestamp for a string": (replaced("region: us-west-2", "region: 2026-12-01"), 2,
                                 "error: FILE:7:3: 'metadata.region': Input should be a valid string "
                                 "(got 2026-12-01, a date)"),
    "merge key and anchor": ("defaults: &defaults {region: us-west-2}\n" + SPEC, 2,
                             "error: FILE:1:1: unknown field 'defaults' (allowed here: apiVersion, autoscaler, "
                             "availabilityZones, controlPlaneZones, domain, domino, kind, metadata, network, "
                             "nodePools, security, storage)"),
    "binary for a string": (replaced("region: us-west-2", "region: !!binary dXMtd2VzdC0y"), 0, None),
    "infinity for a size": (replaced("volumeSize: 128", "volumeSize: .inf"), 2,
                            "error: FILE:13:5: 'nodePools[0].volumeSize': Input should be a finite number "
                            "(got .inf)"),
    "NaN for a size": (replaced("volumeSize: 128", "volumeSize: .nan"), 2,
                       "error: FILE:13:5: 'nodePools[0].volumeSize': Input should be a finite number (got .nan)"),
    "hexadecimal size": (replaced("volumeSize: 128", "volumeSize: 0x80"), 0, None),
    "5000-digit integer": (replaced("volumeSize: 128", "volumeSize: " + "9" * 5000), 2,
                           "error: FILE: invalid YAML: a number too long to read (Python converts at most 4,300 "
                           "digits); no Kubernetes or AWS value has one"),
    "unicode in a name": (replaced("name: domino", "name: dömino"), 2,
                          "error: FILE:6:3: 'metadata.name': String should match pattern "
                          "'^[0-9A-Za-z][A-Za-z0-9_-]*$' (got 'dömino-test-cluster')"),
    "zero-width space in the region": (replaced("region: us-west-2", "region: us-west-2\u200b"), 3, None),
    "emoji key": (SPEC + "\U0001f600: 1\n", 2,
                  "error: FILE:35:1: unknown field '\U0001f600' (allowed here: apiVersion, autoscaler, "
                  "availabilityZones, controlPlaneZones, domain, domino, kind, metadata, network, nodePools, "
                  "security, storage)"),
    "escaped NUL and BEL in a string": (replaced("region: us-west-2", 'region: "\\0\\a"'), 3, None),
    "lone surrogate escape": (replaced("region: us-west-2", 'region: "\\ud800"'), 3, None),
    "UTF-16": (SPEC.encode("utf-16"), 2, "error: FILE:1:1: not UTF-8 text: byte 0xff cannot start or continue a "
                                         "character (save the file as UTF-8)"),
    "a gzipped spec": (gzip.compress(SPEC.encode()), 2,
                       "error: FILE:1:1: is gzip-compressed: expected YAML text (gunzip it first)"),
    "two documents": (SPEC + "---\n" + SPEC, 2,
                      "error: FILE:35:1: invalid YAML: expected a single document in the stream but found another "
                      "document"),
    "over the size limit": (SPEC + "# " + "x" * MAX_BYTES + "\n", 2,
                            f"error: FILE: is {len(SPEC) + MAX_BYTES + 3:,} bytes, over the {MAX_BYTES:,}-byte "
                            "limit for a spec or ClusterConfig"),
    "a 200,000-character key": (SPEC + "k" * 200_000 + ": 1\n", 2,
                                "error: FILE:35:200001: invalid YAML: while scanning a simple key could not find "
                                "expected ':'"),
    "5,000 unknown keys": (SPEC + "".join(f"x{i}: {i}\n" for i in range(5000)), 2,
                           "error: FILE: and 4,950 more problems of the kinds above (only the first 50 are listed)"),
    "5,000 nested brackets": ("a: " + "[" * 5000 + "]" * 5000 + "\n", 2,
                              f"error: FILE:1:{4 + MAX_DEPTH}: nested too deeply: at most {MAX_DEPTH} levels "
                              "expected"),
    "300 indented levels": ("".join("  " * i + f"k{i}:\n" for i in range(300)) + "  " * 300 + "v\n", 2,
                            f"error: FILE:{MAX_DEPTH + 1}:{2 * MAX_DEPTH + 4}: nested too deeply: at most "
                            f"{MAX_DEPTH} levels expected"),
    "eksctl: a zone of another region": (replaced("us-west-2a", "eu-west-1a", EKSCTL), 3, None),
    "eksctl: a list for the instance type": (replaced("instanceType: m5.2xlarge", "instanceType: [1, 2]", EKSCTL),
                                             2, "error: FILE:12:5: 'nodeGroups[0].instanceType': expected a string, "
                                                "found a list"),
    "eksctl: a CloudFormation tag": (replaced("name: ", "name: !Sub ", EKSCTL), 2,
                                     "error: FILE:7:3: the YAML tag !Sub is not supported: write the plain value"),
}


def write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


def finished(done, path: Path | str) -> tuple[int, str]:
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode in DOCUMENTED_EXITS
    lines = done.stderr.replace(str(path), "FILE").strip().splitlines()
    return done.returncode, lines[-1] if lines else ""


@pytest.mark.parametrize("case", sorted(SPECS))
def test_a_hostile_spec_gets_its_documented_answer_from_validate_and_render(tmp_path, case):
    content, code, message = SPECS[case]
    spec = write(tmp_path / "spec.yaml", content)
    validated = finished(run("validate", str(spec)), spec)
    assert validated[0] == code
    if message:
        assert validated[1] == message
    out = tmp_path / "out"
    rendered = finished(run("render", str(spec), "-o", str(out)), spec)
    assert rendered[0] in ({0, 3} if code != 2 else {2})  # render judges nothing: exit 3 is validate's alone
    if rendered[0] == 2:
        assert rendered[1] == validated[1]
        assert not out.exists()


def gzip_bomb() -> bytes:
    """A few hundred kilobytes that inflate past the dump limit."""
    return gzip.compress(b"{" + b" " * (MAX_DUMP_BYTES + 1) + b"}", compresslevel=9)


DUMPS: dict[str, tuple[Callable[[], str | bytes], str]] = {
    "empty file": (lambda: "", "error: FILE:1:1: expected a JSON object or a YAML mapping (a kubectl List)"),
    "truncated gzip": (lambda: gzip.compress(LIST.encode())[:200],
                       "error: FILE: not a readable gzip file: it ends before its content does"),
    "gzip magic, then garbage": (lambda: b"\x1f\x8b" + bytes(range(256)),
                                 "error: FILE: not a readable gzip file: Error -3 while decompressing data: unknown "
                                 "compression method"),
    "gzip bomb": (gzip_bomb, f"error: FILE: inflates to over the {MAX_DUMP_BYTES:,}-byte limit for a dump "
                             "(kubectl List or snapshot)"),
    "items of every JSON type": (lambda: kubectl_list(1, None, "x", [], {}),
                                 "error: FILE: items[4]: an object without a kind, in a List that does not name its "
                                 "items' kind"),
    "items an object": (lambda: json.dumps({"apiVersion": "v1", "kind": "List", "items": {"kind": "Node"}}),
                        "error: FILE: items: expected an array of Kubernetes objects, found an object"),
    "items a string in YAML": (lambda: "apiVersion: v1\nkind: NodeList\nitems: nodes\n",
                               "error: FILE: items: expected an array of Kubernetes objects, found a string"),
    "metadata null": (lambda: kubectl_list({"kind": "Node", "metadata": None}),
                      "error: FILE: items[0]: expected a Kubernetes object with a kind and metadata, found an "
                      "object with keys kind, metadata"),
    "YAML nested past the limit": (lambda: "apiVersion: v1\nkind: List\nitems: " + "[" * 3000 + "]" * 3000 + "\n",
                                   f"error: FILE:3:{8 + MAX_DUMP_DEPTH}: nested too deeply: at most "
                                   f"{MAX_DUMP_DEPTH} levels expected"),
    "JSON nested past recursion": (lambda: '{"apiVersion": "v1", "kind": "List", "items": ' + "[" * 100_000
                                   + "]" * 100_000 + "}",
                                   "error: FILE: nested too deeply to read: hundreds of levels, where a Kubernetes "
                                   "object has a dozen"),
    "python object tag": (lambda: "apiVersion: v1\nkind: List\nitems: [!!python/object/apply:os.system [x]]\n",
                          "error: FILE:3:9: invalid YAML: could not determine a constructor for the tag "
                          "'tag:yaml.org,2002:python/object/apply:os.system'"),
    # in a field the rules read: one they never read is skipped unread, whatever it holds
    "5000-digit JSON integer": (lambda: kubectl_list({"kind": "Node", "apiVersion": "v1", "metadata": {"name": "n"},
                                                      "status": {"allocatable": {"cpu": 0}}})
                                .replace('"cpu": 0', '"cpu": ' + "9" * 5000),
                                "error: FILE: invalid JSON: a number too long to read (Python converts at most 4,300 "
                                "digits); no Kubernetes or AWS value has one"),
    "5000-digit YAML integer": (lambda: "apiVersion: v1\nkind: List\nitems: [{x: " + "9" * 5000 + "}]\n",
                                "error: FILE: invalid YAML: a number too long to read (Python converts at most "
                                "4,300 digits); no Kubernetes or AWS value has one"),
    "a byte that is not UTF-8": (lambda: kubectl_list().encode() + b"\xe9",
                                 "error: FILE: not UTF-8 text: byte 0xe9 at offset 49 cannot start or continue a "
                                 "character"),
    "a key twice in YAML": (lambda: "apiVersion: v1\nkind: List\nkind: List\nitems: []\n",
                            'error: FILE:3:1: invalid YAML: found duplicate key "kind" with value "List" (original '
                            'value: "List")'),
    "garbage after the JSON": (lambda: kubectl_list() + " garbage",
                               "error: FILE:1:51: invalid JSON: expected a JSON object"),
}


@pytest.mark.parametrize("case", sorted(DUMPS))
def test_a_hostile_dump_is_refused_by_check_with_its_reason(tmp_path, case):
    make, message = DUMPS[case]
    dump = write(tmp_path / "dump.json", make())
    assert finished(run("check", "--from-file", str(dump)), dump) == (2, message)


def test_dumps_that_are_no_regular_file_are_refused_at_once(tmp_path):
    fifo = tmp_path / "dump.json"
    os.mkfifo(fifo)
    assert finished(run("check", "--from-file", str(fifo)), fifo) == (
        2, "error: FILE: is a FIFO (named pipe), expected a JSON or YAML file")
    assert finished(run("check", "--from-file", "/dev/zero"), "/dev/zero") == (
        2, "error: FILE: is a device, expected a JSON or YAML file")


def test_a_gzipped_dump_of_several_members_is_read_whole(tmp_path):
    half = len(LIST) // 2
    (tmp_path / "split").mkdir()
    (tmp_path / "whole").mkdir()
    # the same file name: the findings name the file
    dump = write(tmp_path / "split" / "dump.json", gzip.compress(LIST[:half].encode()) +
                 gzip.compress(LIST[half:].encode()))
    whole = write(tmp_path / "whole" / "dump.json", LIST)
    split, plain = run("check", "--from-file", str(dump), "--format", "json"), \
        run("check", "--from-file", str(whole), "--format", "json")
    assert (split.returncode, split.stderr) == (plain.returncode, plain.stderr)
    assert json.loads(split.stdout)["findings"] == json.loads(plain.stdout)["findings"]


def test_output_paths_that_cannot_be_written_are_bad_input(tmp_path):
    spec = write(tmp_path / "spec.yaml", SPEC)
    a_file = write(tmp_path / "a-file", "")
    assert finished(run("render", str(spec), "-o", str(a_file)), a_file) == (
        2, "Error: Invalid value for '-o' / '--output': Directory 'FILE' is a file.")
    beneath = a_file / "out"
    assert finished(run("render", str(spec), "-o", str(beneath)), a_file) == (
        2, "error: FILE/out/eksctl/cluster.yaml: cannot write: Not a directory")
    assert finished(run("init", "-o", str(tmp_path)), tmp_path) == (
        2, "Error: Invalid value for '-o' / '--output': File 'FILE' is a directory.")
    assert finished(run("init", "-o", str(spec)), spec) == (
        2, "error: FILE: already exists; not overwritten (choose another path or delete it)")
    assert spec.read_text() == SPEC
