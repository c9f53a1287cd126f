"""Reading an input file's bytes within a limit, before any parser sees them; no YAML or JSON here, so the dump
reader's JSON path loads no YAML parser."""

from __future__ import annotations

import os
import stat

from domino_eks.errors import InputError, Problem

NUMBER_TOO_LONG = "a number too long to read (Python converts at most 4,300 digits); no Kubernetes or AWS value has one"
GZIP_MAGIC = b"\x1f\x8b"


def bounded_bytes(name: str, limit: int, holding: str, expected: str) -> bytes:
    """The file's bytes, refusing without reading a directory, a FIFO, a device or a file over `limit` bytes
    (the limit for `holding`, the kind of document it should be)."""
    try:
        info = os.stat(name)
        if stat.S_ISDIR(info.st_mode):
            raise InputError([Problem(name, f"is a directory, expected {expected}")])
        if not stat.S_ISREG(info.st_mode):
            raise InputError([Problem(name, f"is {_file_kind(info.st_mode)}, expected {expected}")])
        if info.st_size > limit:
            raise InputError([Problem(name, f"is {info.st_size:,} bytes, over the {limit:,}-byte limit for "
                                            f"{holding}")])
        with open(name, "rb") as handle:
            data = handle.read(limit + 1)  # the file may have grown since stat
    except FileNotFoundError:
        raise InputError([Problem(name, "no such file")]) from None
    except OSError as exc:
        raise InputError([Problem(name, f"cannot read: {exc.strerror or exc}")]) from None
    if len(data) > limit:
        raise InputError([Problem(name, f"is over the {limit:,}-byte limit for {holding}")])
    return data


def _file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a socket" if stat.S_ISSOCK(mode) else "not a regular file"
