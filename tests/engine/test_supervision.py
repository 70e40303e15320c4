"""The engine's supervision against a fake worker (tests/engine/fake_worker.py): timeouts,
crashes, replacements, the spare, and replies that cannot be believed.

The pool, the processes and the wire are the real ones; the fake starts in a fraction of a
second where a JAX worker takes seconds, so every replacement here is cheap. What real question
code does to a real worker stays in test_containment.py and test_hostile.py.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from pathlib import Path

import pytest

from jaxquiz.engine import Engine, Task, boundary, puzzle_plan
from jaxquiz.engine.pool import GRACE
from jaxquiz.engine.pool import Engine as Pool
from jaxquiz.engine.puzzle_spec import PuzzleArg, PuzzleSpec
from jaxquiz.errors import EngineError

FAKE = Path(__file__).with_name("fake_worker.py")
TIMEOUT = 0.5  # a fake run that hangs is stopped after this long


def _fake_module():
    spec = importlib.util.spec_from_file_location("fake_worker", FAKE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BY_TOKEN = _fake_module().BY_TOKEN  # the note of a verdict graded without its task


def fake(*knobs: str) -> tuple[str, ...]:
    return (sys.executable, str(FAKE), *knobs)


@pytest.fixture
def engine():
    with Engine(worker_command=fake()) as engine:
        engine.wait_ready()
        yield engine


def task(code: str = "fine", timeout: float = TIMEOUT) -> Task:
    return Task("shape", code, timeout=timeout)


def assert_next_question_works(engine: boundary.Engine) -> None:
    verdict = engine.grade(task(), "right")
    assert verdict.status == "graded" and verdict.correct, verdict
    assert verdict.device == "fake device"


def test_the_fake_is_graded_like_a_worker(engine):
    assert engine.wait_ready().jax_version == "0.0-fake"
    assert_next_question_works(engine)
    assert not engine.grade(task(), "wrong").correct
    assert engine.replacements == 0


def test_a_prepared_question_is_graded_by_its_token_and_keeps_its_truth(engine):
    prepared = engine.prepare(task())
    verdict = engine.grade(prepared.task, "right", prepared)
    assert verdict.correct and verdict.note == BY_TOKEN
    assert verdict.truth == prepared.outcome and verdict.device == "fake device"


def test_a_question_prepared_by_a_worker_since_replaced_is_sent_again_with_its_task(engine):
    prepared = engine.prepare(task())
    engine.grade(task("recycle"), "right")  # the worker asks to be replaced after this reply
    assert engine.replacements == 1
    verdict = engine.grade(prepared.task, "right", prepared)  # the spare holds no truth
    assert verdict.correct and verdict.note == ""
    assert verdict.truth == prepared.outcome


def test_a_timeout_kills_the_worker_and_the_spare_takes_over(engine):
    pid = engine.wait_ready().pid
    verdict = engine.grade(task("hang"), "right")
    assert verdict.status == "timeout" and not verdict.correct
    assert f"within {TIMEOUT:g} s" in verdict.error
    assert engine.replacements == 1
    assert engine.wait_ready().pid != pid
    assert_next_question_works(engine)


def test_a_puzzle_whose_worker_stops_answering_times_out_after_all_its_executions(engine):
    # The worker's watchdog answers for one execution past the timeout; a worker that answers
    # nothing at all is given one timeout per execution the request may make, and says so.
    spec = PuzzleSpec("f", (PuzzleArg("n", "value", values=("1",)),), examples=1)
    runs = puzzle_plan.executions(spec, learner=False)
    outcome = engine.prepare(
        Task("puzzle", "hang", solution="def f(n): return n", timeout=0.1, puzzle=spec)
    ).outcome
    assert outcome.status == "timeout"
    assert outcome.error == (
        f"timed out: the worker gave no answer within {0.1 * runs + GRACE:g} s "
        f"({runs} executions of at most 0.1 s each), so it was stopped"
    )
    assert_next_question_works(engine)


def test_a_prepared_timeout_is_the_questions_fault_and_is_not_run_again(engine):
    hanging = task("hang")
    prepared = engine.prepare(hanging)
    assert prepared.outcome.status == "timeout"
    assert engine.replacements == 1
    start = time.monotonic()
    verdict = engine.grade(hanging, "right", prepared)
    assert time.monotonic() - start < TIMEOUT  # answered from the failed truth, not waited on
    assert verdict.status == "question-error" and verdict.truth.status == "timeout"
    assert "the question's own code did not run to the end (timed out" in verdict.error
    assert engine.replacements == 1
    assert_next_question_works(engine)


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("exit 3", "exited with status 3"),
        ("signal SIGSEGV", "segmentation fault"),
        ("signal SIGKILL", "SIGKILL"),
        ("signal SIGABRT", "an abort"),
    ],
)
def test_a_crash_is_a_verdict_in_plain_words_and_the_next_question_works(engine, code, words):
    verdict = engine.grade(task(code), "right")
    assert verdict.status == "crashed" and not verdict.correct
    assert words in verdict.error
    assert engine.replacements == 1
    assert_next_question_works(engine)


def test_a_learners_run_that_crashes_keeps_the_prepared_truth(engine):
    prepared = engine.prepare(task())
    verdict = engine.grade(task("exit 3"), "right", prepared)
    assert verdict.status == "crashed"
    assert verdict.truth == prepared.outcome


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("garbage", "not valid"),
        ("extra", "more than one reply"),
        ("not-prepared", "answered with NotPrepared, not Verdict"),
    ],
    ids=["garbage", "extra", "not-prepared-with-its-task"],
)
def test_a_reply_that_cannot_be_believed_is_a_crash_of_that_run(engine, code, words):
    verdict = engine.grade(task(code), "right")
    assert verdict.status == "crashed"
    assert words in verdict.error
    assert engine.replacements == 1
    assert_next_question_works(engine)


def test_a_worker_that_asks_to_be_recycled_is_replaced_after_its_reply(engine):
    pid = engine.wait_ready().pid
    assert engine.grade(task("recycle"), "right").correct
    assert engine.replacements == 1
    assert engine.wait_ready().pid != pid


@pytest.mark.parametrize("how", ["untidy", "untidy-now"])
def test_a_worker_that_could_not_tidy_up_hands_the_next_request_to_the_spare(engine, how):
    pid = engine.wait_ready().pid
    assert engine.grade(task(how), "right").correct  # the reply came before the exit
    assert_next_question_works(engine)  # sent before the exit and never read: the spare answers
    assert engine.replacements == 1
    assert engine.wait_ready().pid != pid


def test_a_worker_that_closed_its_socket_after_a_reply_is_replaced_before_the_next_request(engine):
    pid = engine.wait_ready().pid
    assert engine.grade(task("closes"), "right").correct
    # It closes its socket just after the reply: the next question is asked once that is so.
    deadline = time.monotonic() + 10
    while engine.default._current.fit_for_use() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert_next_question_works(engine)  # not a crash: the spare answers
    assert engine.replacements == 1
    assert engine.wait_ready().pid != pid


def test_a_spare_killed_while_warming_is_never_handed_a_question():
    with Pool(worker_command=fake("--start-delay", "0.3")) as pool:
        pool.wait_ready()
        spare = pool._spare
        assert spare is not None
        os.kill(spare.pid, 9)
        spare.process.wait(timeout=10)
        verdict = pool.grade(task("hang"), "right")
        assert verdict.status == "timeout"  # the worker is replaced: not by the dead spare
        assert pool._current is not spare and pool._current is not None and pool._current.alive()
        assert_next_question_works(pool)


def test_the_spare_starts_once_the_worker_is_ready_not_beside_it():
    # Two imports of jax at once on two cores would delay the first verdict.
    with Pool(worker_command=fake("--start-delay", "0.3")) as pool:
        pool.start()
        assert pool._spare is None
        pool.wait_ready()
        spare = pool._spare
        assert spare is not None and spare.alive()
        assert spare.pid != pool.wait_ready().pid


def test_a_worker_that_dies_idle_is_replaced_before_its_next_question(engine):
    worker = engine.default._current
    os.kill(worker.pid, 9)
    worker.process.wait(timeout=10)
    assert_next_question_works(engine)
    assert engine.replacements == 1


def test_a_worker_that_crashes_on_start_is_an_engine_error_that_says_so():
    with (
        Engine(spare=False, worker_command=fake("--crash-on-start")) as engine,
        pytest.raises(EngineError, match=r"could not start: .*: fake worker: crashed on start"),
    ):
        engine.wait_ready()


def test_a_worker_that_starts_too_slowly_is_an_engine_error():
    with (
        Engine(spare=False, worker_command=fake("--start-delay", "0.6")) as engine,
        pytest.raises(EngineError, match=r"could not start: did not start within 0\.3 s"),
    ):
        engine.wait_ready(timeout=0.3)


def test_a_slow_start_is_waited_for():
    with Engine(spare=False, worker_command=fake("--start-delay", "0.5")) as engine:
        assert_next_question_works(engine)


def test_a_closed_engine_starts_nothing_more():
    engine = Engine(spare=False, worker_command=fake()).start()
    engine.close()
    with pytest.raises(EngineError, match="closed"):
        engine.grade(task(), "right")


# --- pools of other device counts -------------------------------------------------------------


def test_a_pool_nobody_used_for_a_while_is_stopped():
    with Engine(spare=False, idle_stop=0.5, worker_command=fake()) as engine:
        engine.warm([3])
        assert engine.running == (3,)
        three = engine.pool(3)
        assert engine.wait_ready(devices=3).device == "3 fake devices"
        assert three.is_ready
        time.sleep(0.6)
        assert engine.grade(task(), "right").device == "fake device"  # the default pool
        assert engine.running == ()
        assert not three.is_ready  # its worker was stopped
        # asked for again, it starts again
        verdict = engine.grade(Task("shape", "fine", devices=3), "right")
        assert verdict.correct and verdict.device == "3 fake devices"
