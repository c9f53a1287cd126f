"""Run work over a dependency graph: everything whose dependencies are done runs at once, on a thread pool.

graphlib hands out what is ready; a pool runs it; each finished item may make others ready. A failure
stops only what depends on it; independent work goes on, so one run reports every problem it can reach.
An interruption (Ctrl-C, or a worker that raised something that is not an Exception) stops everything:
nothing new starts, the calls in flight return, and the result keeps the interruption for the caller
to report and raise again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from graphlib import TopologicalSorter
from typing import Any, Protocol

from domino_eks.aws.session import Interrupted
from domino_eks.provision.resources import Key


@dataclass(frozen=True)
class Step:
    """What one item of work produced: a resource's outputs, and a note worth showing."""

    outputs: Mapping[str, Any] | None = None
    note: str = ""


class Observer(Protocol):
    def started(self, key: Key) -> None: ...
    def finished(self, key: Key, result: Step, seconds: float) -> None: ...
    def failed(self, key: Key, error: BaseException) -> None: ...


class Silent:
    """An Observer that shows nothing: for scripts, tests and benchmarks."""

    def started(self, key: Key) -> None:
        pass

    def finished(self, key: Key, result: Step, seconds: float) -> None:
        pass

    def failed(self, key: Key, error: BaseException) -> None:
        pass


@dataclass
class WalkResult:
    results: dict[Key, Step] = field(default_factory=dict)
    failures: dict[Key, BaseException] = field(default_factory=dict)
    blocked: dict[Key, Key] = field(default_factory=dict)  # not attempted -> a failure it waited for
    stopped: list[Key] = field(default_factory=list)  # were running when the walk was interrupted
    spans: dict[Key, tuple[float, float]] = field(default_factory=dict)  # start, end (perf_counter)
    interruption: BaseException | None = None
    wall_seconds: float = 0.0

    @property
    def complete(self) -> bool:
        return not (self.failures or self.blocked or self.stopped or self.interruption)


class Walker:
    def __init__(self, dependencies: Mapping[Key, Iterable[Key]], work: Callable[[Key], Step], *,
                 workers: int, observer: Observer, stop: Callable[[], None]):
        self._dependencies = {key: set(deps) for key, deps in dependencies.items()}
        self._work = work
        self._workers = workers
        self._observer = observer
        self._stop = stop
        self.result = WalkResult()
        self._running: dict[Future, Key] = {}

    def run(self) -> WalkResult:
        sorter = TopologicalSorter(self._dependencies)
        sorter.prepare()
        began = time.perf_counter()
        with ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="domino-eks") as pool:
            try:
                self._submit_ready(sorter, pool)
                while self._running:
                    finished, _ = wait(self._running, return_when=FIRST_COMPLETED)
                    for future in finished:
                        self._collect(future, sorter)
                    if self.result.interruption is None:
                        self._submit_ready(sorter, pool)
            except KeyboardInterrupt as interruption:
                self._interrupt(interruption)
                for future in list(self._running):
                    future.exception()  # wait: the stop makes its next AWS call raise
                    self._collect(future, sorter)
        self.result.wall_seconds = time.perf_counter() - began
        return self.result

    def _submit_ready(self, sorter: TopologicalSorter, pool: ThreadPoolExecutor) -> None:
        ready = list(sorter.get_ready())
        while ready:
            key = ready.pop()
            cause = next((d for d in self._dependencies[key]
                          if d in self.result.failures or d in self.result.blocked), None)
            if cause is None:
                self._running[pool.submit(self._timed, key)] = key
                continue
            self.result.blocked[key] = self.result.blocked.get(cause, cause)
            sorter.done(key)  # so what waits on it is marked blocked in turn
            ready.extend(sorter.get_ready())

    def _timed(self, key: Key) -> Step:
        self._observer.started(key)
        start = time.perf_counter()
        try:
            return self._work(key)
        finally:
            self.result.spans[key] = (start, time.perf_counter())

    def _collect(self, future: Future, sorter: TopologicalSorter) -> None:
        key = self._running.pop(future)
        error = future.exception()
        if error is None:
            self.result.results[key] = future.result()
            start, end = self.result.spans[key]
            self._observer.finished(key, self.result.results[key], end - start)
            sorter.done(key)
        elif isinstance(error, Interrupted) or not isinstance(error, Exception):
            self.result.stopped.append(key)
            if not isinstance(error, Interrupted):
                self._interrupt(error)
        else:
            self.result.failures[key] = error
            self._observer.failed(key, error)
            sorter.done(key)

    def _interrupt(self, interruption: BaseException) -> None:
        if self.result.interruption is None:
            self.result.interruption = interruption
            self._stop()
