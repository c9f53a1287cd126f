"""Just enough IAM policy evaluation for the rules: which actions a set of statements allows, and where.

Matching follows IAM: `*` matches any run of characters and `?` one character, in both actions and
resources; actions compare case-insensitively, ARNs case-sensitively. Conditions are not evaluated:
a conditional Allow still counts as a grant (A002 judges how it is scoped), and a conditional Deny
does not cancel one, since it applies only to some requests. An unconditional Deny always wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from domino_eks.model import Statement

ANY_RESOURCE = "*"


@cache
def _pattern(glob: str, case_sensitive: bool) -> re.Pattern[str]:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob)
    return re.compile(body, re.DOTALL if case_sensitive else re.DOTALL | re.IGNORECASE)


def action_matches(pattern: str, action: str) -> bool:
    return _pattern(pattern, False).fullmatch(action) is not None


def resource_matches(pattern: str, resource: str) -> bool:
    return _pattern(pattern, True).fullmatch(resource) is not None


def covers(statement: Statement, action: str, resource: str | None = None) -> bool:
    """The statement names `action` on `resource` (on any resource at all when `resource` is None)."""
    if not any(action_matches(p, action) for p in statement.actions):
        return False
    return resource is None or any(resource_matches(p, resource) for p in statement.resources)


def allows(statements: Iterable[Statement], action: str, resource: str | None = None) -> bool:
    """An Allow grants `action` on `resource` (on some resource when None) and no unconditional Deny takes it back.

    With `resource` None, only a Deny on every resource takes the grant back.
    """
    statements = tuple(statements)
    denied_on = resource if resource is not None else ANY_RESOURCE
    if any(s.effect == "Deny" and not s.condition and covers(s, action, denied_on) for s in statements):
        return False
    return any(s.effect == "Allow" and covers(s, action, resource) for s in statements)


def may_grant_service(statement: Statement, service: str) -> bool:
    """Some action pattern of the statement can match an action of `service` (e.g. "*", "s3:*", "s3:Get*")."""
    return any(action_matches(p.split(":", 1)[0], service) for p in statement.actions)
