"""Where AWS calls go (the target), the session they start from, and the clients that make them.

Every client retries in the botocore mode its use names (`COLLECTING`, `PROVISIONING`); nothing loops by
hand, and a server's HTML error page is retried like any other answer of its status. A stop request (Ctrl-C)
makes the next AWS call of every worker thread raise `Interrupted`, so threads end at a call boundary, never
inside one.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from domino_eks.aws import models
from domino_eks.errors import InputError, Problem, ToolError
from domino_eks.memory import collector_paused

CONNECTIONS = 64  # one per worker thread, and then some: a client shares its pool among threads
# A server that accepts a TCP connection does so in milliseconds; botocore's default (60 s, then retries) makes
# a dead endpoint look like a hang. Reads keep botocore's 60 s: some AWS answers are slow to come.
CONNECT_SECONDS = 5


@dataclass(frozen=True)
class Retries:
    """How a client rides out throttling and passing faults (botocore's retry modes)."""

    mode: Literal["standard", "adaptive"]
    max_attempts: int  # retries after the first call, as botocore's `max_attempts` counts them


# check and snapshot read a few dozen answers once: botocore's standard mode as it comes (3 calls in all)
COLLECTING = Retries("standard", 2)
# apply and destroy call from many threads for minutes: adaptive mode also slows the client's own request
# rate, and 12 retries (up to 20 s a wait) ride out minutes of throttling
PROVISIONING = Retries("adaptive", 12)


class Interrupted(Exception):
    """A stop was requested: raised instead of the next AWS call."""


@dataclass(frozen=True)
class Target:
    """`local`: the embedded emulator, for one command (at `endpoint_url` once started). `endpoint`: any
    AWS-compatible URL. `aws`: the real one."""

    kind: Literal["local", "endpoint", "aws"]
    region: str
    endpoint_url: str | None = None
    profile: str | None = None

    def describe(self) -> str:
        if self.kind == "local":
            return f"the embedded AWS emulator (region {self.region}; it starts empty and lives for this command)"
        if self.kind == "endpoint":
            return f"the AWS-compatible endpoint {self.endpoint_url} (region {self.region})"
        return f"AWS (profile {self.profile or 'default chain'}, region {self.region})"


class Aws:
    """The clients of one run: one session, a client created once per service, shared by every worker thread."""

    def __init__(self, session: Any, endpoint_url: str | None, *, retries: Retries):
        from botocore.config import Config

        self.session = session
        self.region: str = session.region_name  # collect refuses a session without one before it gets here
        self.endpoint_url = endpoint_url
        self._config = Config(
            retries={"mode": retries.mode, "max_attempts": retries.max_attempts},
            max_pool_connections=CONNECTIONS,
            connect_timeout=CONNECT_SECONDS,
            user_agent_appid="domino-eks",
        )
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()  # boto3 sessions are not thread-safe; the clients they make are
        self._account: str | None = None
        self._account_lock = threading.Lock()
        self._stop = threading.Event()
        session.events.register("before-call", self._refuse_when_stopping)
        session.events.register("before-parse", _error_page_as_status)

    def client(self, service: str) -> Any:
        with self._lock:
            if service not in self._clients:
                # its model becomes hundreds of thousands of objects it keeps; not frozen after, as a client
                # dropped later (cyclic as it is) could then never be freed
                with collector_paused():
                    self._clients[service] = self.session.client(
                        service, endpoint_url=self.endpoint_url, config=self._config,
                    )
            return self._clients[service]

    def account_id(self) -> str:
        """The id of the account the calls go to: asked of STS once, as the session's credentials name one account."""
        with self._account_lock:
            if self._account is None:
                self._account = self.client("sts").get_caller_identity()["Account"]
            return self._account

    def prepare(self, services: Iterable[str]) -> None:
        """Make the clients of `services` now, one after another. Making one sends no request, but it holds the
        lock every thread shares: threads that start together and each make their own client wait in turn, so
        calls that do not depend on each other would go out one client-creation apart. The collector stays
        paused until the last is made, so that it does not walk the first ones' models between two of them."""
        with collector_paused():
            for service in services:
                self.client(service)

    @contextmanager
    def prepared(self, services: Iterable[str]) -> Iterator[None]:
        """`prepare`, then the objects of the clients' models kept out of the collector's sight while the block
        runs (gc.freeze): otherwise its first pass after they are made walks every one of them, a fifth of
        the time making them took, before the block's first call, and its later passes walk them again. They
        are handed back to it afterwards (gc.unfreeze), so that clients dropped later can still be freed."""
        with collector_paused(freeze=True):  # frozen before it can make that first pass
            self.prepare(services)
        try:
            yield
        finally:
            gc.unfreeze()

    def stop(self) -> None:
        self._stop.set()

    def _refuse_when_stopping(self, **_: Any) -> None:
        if self._stop.is_set():
            raise Interrupted("stopped before this AWS call")


def _error_page_as_status(response_dict: dict[str, Any], **_: Any) -> None:
    """A 5xx whose body is an HTML page (a web server's crash page: moto's when two requests race in its IAM
    backend, or a proxy's) says no more than its status. botocore reads only a body starting with `<html>` as
    such a page; any other (`<!doctype html>...`) its XML protocols parse as XML and fail with a
    ResponseParserError raised outside the retry loop, so the call fails at its first attempt
    (boto/botocore#2463, closed unfixed). An empty body is botocore's generic error of that status, which the
    retry modes retry as they retry any 500, 502, 503 or 504."""
    if response_dict["status_code"] >= 500 and _is_html(response_dict["body"]):
        response_dict["body"] = b""


def _is_html(body: bytes) -> bool:
    return body.lstrip()[:len(b"<!doctype html")].lower().startswith((b"<!doctype html", b"<html"))


def static_session(region: str) -> Any:
    """A session with the emulator's fixed credentials, blind to the user's AWS configuration: the emulator needs
    no profile, and AWS_PROFILE naming one this machine lacks (or one with settings of its own) must not reach it."""
    import os

    import boto3

    from domino_eks.aws import emulator

    # botocore's session variables as (config key, environment variable, default, converter): none read from
    # the environment, no file but an empty one
    unconfigured = {"profile": (None, None, None, None),
                    "config_file": (None, None, os.devnull, None),
                    "credentials_file": (None, None, os.devnull, None)}
    return boto3.Session(botocore_session=models.core_session(session_vars=unconfigured), region_name=region,
                         **emulator.CREDENTIALS)


def profile_session(profile: str | None, region: str | None) -> Any:
    """A session from `profile`, or from the usual credential chain. A profile that is not configured is
    unusable input (exit 2) in every command, named with the files it was looked for in."""
    import boto3
    import botocore.session
    from botocore.exceptions import ProfileNotFound

    try:
        return boto3.Session(botocore_session=models.core_session(profile), profile_name=profile,
                             region_name=region)
    except ProfileNotFound as exc:
        files = botocore.session.get_session()  # where botocore looks: ~/.aws, unless the environment says
        where = f"{files.get_config_variable('config_file')} or {files.get_config_variable('credentials_file')}"
        named = exc.kwargs.get("profile", profile)
        option = "--profile" if profile else "AWS_PROFILE"  # no --profile: the environment named it
        raise InputError([Problem(option, f"AWS profile {named!r} not found in {where}")]) from None


def _answering(endpoint_url: str) -> None:
    """Fail at once, naming the endpoint, when nothing listens there: retrying a refused connection with
    backoff, as every client would, takes most of a minute to say the same."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(endpoint_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError([Problem("--endpoint-url", f"expected an http:// or https:// URL, got {endpoint_url!r}")])
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        with socket.create_connection((parts.hostname, port), timeout=CONNECT_SECONDS):
            pass
    except ValueError as exc:  # a port that is not a number, or out of range
        raise InputError([Problem("--endpoint-url", f"{endpoint_url!r}: {exc}")]) from None
    except OSError as exc:
        raise ToolError(f"the endpoint {endpoint_url} does not answer ({exc.strerror or exc}): is the emulator "
                        "running there?") from None


@contextmanager
def connect(target: Target) -> Iterator[Aws]:
    """Provisioning clients for `target`. For `local`, its endpoint is the embedded emulator the command started
    (`emulator.started`) before it read the spec."""
    if target.kind == "local":
        assert target.endpoint_url is not None, "the command starts the embedded emulator and names its URL"
        yield Aws(static_session(target.region), target.endpoint_url, retries=PROVISIONING)
    elif target.kind == "endpoint":
        assert target.endpoint_url is not None
        _answering(target.endpoint_url)
        session = profile_session(target.profile, target.region)
        # an emulator takes any credentials; lend it the fixed ones when the chain has none
        yield Aws(session if session.get_credentials() else static_session(target.region), target.endpoint_url,
                  retries=PROVISIONING)
    else:
        session = profile_session(target.profile, target.region)
        if session.get_credentials() is None:
            raise ToolError("no AWS credentials found: pass --profile, or set AWS_PROFILE or AWS_ACCESS_KEY_ID "
                            "and AWS_SECRET_ACCESS_KEY (or run `aws sso login`)")
        yield Aws(session, None, retries=PROVISIONING)
