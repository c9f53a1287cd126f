"""What the AWS collectors share: the clients they call through, the facts gathered, and refusals kept as data.

A refused call (AccessDenied, UnauthorizedOperation, a resource that is not there, an operation the
endpoint does not implement) is a fact about the account, not a crash: `recorded` notes it under the
service's name ("s3", "ec2"), the facts of that block stay absent, and the rules needing them skip,
citing the note.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from domino_eks.aws import faults
from domino_eks.aws.session import Aws


class Recorder:
    def __init__(self, aws: Aws) -> None:
        self.aws = aws
        self.facts: dict[str, Any] = {}
        self.errors: dict[str, str] = {}

    def store(self, key: str, value: Any) -> None:
        """Keep a fact as JSON would hold it: datetimes as ISO text, no response metadata."""
        self.facts[key] = plain(value)

    def note(self, service: str, message: str) -> None:
        self.errors[service] = f"{self.errors[service]}; {message}" if service in self.errors else message

    @contextmanager
    def recorded(self, service: str, consequence: str = "") -> Iterator[None]:
        """Run a block of calls; a ClientError ends the block and is noted under `service`."""
        from botocore.exceptions import ClientError

        try:
            yield
        except ClientError as exc:
            self.note(service, faults.describe(exc).as_note() + (f"; {consequence}" if consequence else ""))


def plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value
