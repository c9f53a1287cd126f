"""What a rule is, what it returns, and the registry that holds the catalogue.

A rule is one record (id, severity, title, rationale, fix, page section) plus a pure function of the
`Deployment`. The function returns outcomes; `evaluate` turns them into findings that carry the record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum

from domino_eks.model import Deployment, Location


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Status(str, Enum):
    PASS = "pass"
    FAIL = "fail"
    SKIP = "skip"


@dataclass(frozen=True)
class Outcome:
    """What a check says about one thing: it passes, fails (at a severity), or cannot be judged."""

    status: Status
    message: str
    severity: Severity | None = None  # overrides the rule's default for this outcome
    location: Location | None = None


def passed(message: str, location: Location | None = None) -> Outcome:
    return Outcome(Status.PASS, message, location=location)


def failed(message: str, location: Location | None = None, severity: Severity | None = None) -> Outcome:
    return Outcome(Status.FAIL, message, severity=severity, location=location)


def skipped(reason: str) -> Outcome:
    return Outcome(Status.SKIP, reason)


# a check takes the deployment, after any context it is judged with (see `Rule.evaluate`)
Check = Callable[..., Iterable[Outcome]]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    title: str  # names the problem, not the fix
    rationale: str
    fix: str
    section: str  # the page section the requirement comes from
    check: Check = field(compare=False, repr=False)

    def evaluate(self, deployment: Deployment, *context: object) -> list[Finding]:
        """One finding per failure; otherwise exactly one: a skip if any part was unknowable, else a pass.

        `context` goes to the check before the deployment: what a rule outside the catalogue judges it
        with (drift's intended deployment, the probes' session)."""
        outcomes = list(self.check(*context, deployment))
        failures = [o for o in outcomes if o.status is Status.FAIL]
        if failures:
            return [Finding.of(self, o) for o in failures]
        skips = [o for o in outcomes if o.status is Status.SKIP]
        if skips or not outcomes:
            return [Finding.of(self, skipped(_joined(o.message for o in skips) or "nothing to check"))]
        return [Finding.of(self, passed(_joined(o.message for o in outcomes)))]


def _joined(messages: Iterable[str]) -> str:
    """Distinct sentences as one, split by semicolons: "a.; b." would print each sentence's own full stop."""
    distinct = list(dict.fromkeys(messages))
    if len(distinct) < 2:
        return "".join(distinct)
    return "; ".join(m.removesuffix(".") for m in distinct) + "."


@dataclass(frozen=True)
class Finding:
    rule: Rule
    status: Status
    severity: Severity
    message: str
    location: Location | None = None

    @classmethod
    def of(cls, rule: Rule, outcome: Outcome) -> Finding:
        return cls(rule, outcome.status, outcome.severity or rule.severity, outcome.message, outcome.location)

    @property
    def id(self) -> str:
        return self.rule.id

    @property
    def is_problem(self) -> bool:
        """A failed outcome at error or warning severity (info is worth knowing, never a problem)."""
        return self.status is Status.FAIL and self.severity is not Severity.INFO


class Registry:
    """The catalogue: rules by id, iterated in id order (G001 before Z005) whatever the module order."""

    def __init__(self) -> None:
        self._rules: dict[str, Rule] = {}

    def rule(self, id: str, severity: Severity, *, title: str, rationale: str, fix: str, section: str):
        """Decorator: registers `check` under `id` and returns the function unchanged. A module names its page
        section once, in a partial: `rule = partial(REGISTRY.rule, section="Node pools")`."""

        def register(check: Check) -> Check:
            if id in self._rules:
                raise ValueError(f"rule {id} registered twice")
            self._rules[id] = Rule(id, severity, title, rationale, fix, section, check)
            return check

        return register

    def __iter__(self) -> Iterator[Rule]:
        return iter(sorted(self._rules.values(), key=lambda r: r.id))

    def __len__(self) -> int:
        return len(self._rules)

    def get(self, id: str) -> Rule | None:
        return self._rules.get(id.upper())

    def ids(self) -> list[str]:
        return sorted(self._rules)

    def evaluate(self, deployment: Deployment, select: Iterable[str] = (), *,
                 context: Sequence[object] = ()) -> list[Finding]:
        """The findings of the rules whose ids start with one of `select` (all by default); `context` as for
        `Rule.evaluate`."""
        chosen = [r for r in self if not select or any(r.id.startswith(s.upper()) for s in select)]
        return [f for r in chosen for f in r.evaluate(deployment, *context)]


REGISTRY = Registry()
