"""The walker: parallel along the graph, a failure stops only its dependents, an interruption stops all."""

from __future__ import annotations

import os
import signal
import threading

from domino_eks.aws.session import Interrupted
from domino_eks.provision.resources import Key
from domino_eks.provision.walk import Silent, Step, Walker


def key(name: str) -> Key:
    return Key("Test", name)


A, B, C, D = key("a"), key("b"), key("c"), key("d")


def walk(dependencies, work, stop=lambda: None):
    return Walker(dependencies, work, workers=4, observer=Silent(), stop=stop).run()


def test_independent_work_runs_at_the_same_time():
    both = threading.Barrier(2, timeout=10)  # breaks, failing both, unless a and b run together

    def work(k):
        both.wait()
        return Step()

    result = walk({A: set(), B: set()}, work)
    assert result.complete and set(result.results) == {A, B}


def test_a_failure_blocks_what_depends_on_it_and_nothing_else():
    def work(k):
        if k == A:
            raise RuntimeError("boom")
        return Step()

    result = walk({A: set(), B: {A}, C: {B}, D: set()}, work)
    assert set(result.failures) == {A}
    assert result.blocked == {B: A, C: A}
    assert set(result.results) == {D}
    assert not result.complete


def test_dependencies_finish_before_their_dependents_start():
    finished: list[Key] = []

    def work(k):
        finished.append(k)
        return Step()

    walk({A: set(), B: {A}, C: {A, B}}, work)
    assert finished == [A, B, C]


def test_an_interruption_in_a_worker_stops_everything_and_is_kept():
    stopped = threading.Event()

    def work(k):
        if k == A:
            raise KeyboardInterrupt
        return Step()

    result = walk({A: set(), B: {A}}, work, stop=stopped.set)
    assert isinstance(result.interruption, KeyboardInterrupt)
    assert stopped.is_set()
    assert result.stopped == [A] and B not in result.results


def test_ctrl_c_stops_new_work_and_lets_running_work_end_at_its_next_call():
    stop_requested = threading.Event()

    def work(k):
        if k == A:
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C, delivered to the main thread, which is in the walk
            assert stop_requested.wait(10)
            raise Interrupted("stopped before this AWS call")  # what the session's hook raises
        return Step()

    result = walk({A: set(), B: {A}, C: set()}, work, stop=stop_requested.set)
    assert isinstance(result.interruption, KeyboardInterrupt)
    assert A in result.stopped and B not in result.results
