"""The embedded local AWS: a moto server on 127.0.0.1 that lives as long as one command (or one test session).

`--target local` is the default target of plan/apply/destroy, so a newcomer runs the whole job with no
account and no cost. moto keeps its state in process memory: the emulator starts empty every time, and
`domino-eks emulator` runs the same server in the foreground to keep state from one command to the next.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager

from domino_eks.errors import ToolError

LOOPBACK = "127.0.0.1"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
# moto attaches AWS-managed policies (AmazonEKSWorkerNodePolicy...) only when it has loaded them.
SETTINGS = {"MOTO_IAM_LOAD_MANAGED_POLICIES": "true"}


@contextmanager
def running(port: int = 0) -> Iterator[str]:
    """Start moto on a loopback port (0: a free one); yield its endpoint URL; stop it on the way out. The one way
    the emulator starts, embedded in a command or in the foreground of `domino-eks emulator`."""
    from moto.server import ThreadedMotoServer

    # one access-log line per AWS call otherwise, and a traceback for every call moto does not implement
    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    with _settings(SETTINGS):
        try:
            server = ThreadedMotoServer(ip_address=LOOPBACK, port=port, verbose=False)
            server.start()
        except OSError as exc:
            raise ToolError(f"cannot start the local AWS emulator on {LOOPBACK}: {exc}") from None
        host, port = server.get_host_and_port()
        try:
            yield f"http://{host}:{port}"
        finally:
            server.stop()


@contextmanager
def _settings(values: dict[str, str]) -> Iterator[None]:
    """moto reads its settings from the environment when a backend first starts: set them for the server's life."""
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
