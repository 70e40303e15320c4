"""Engine latency over the bundled decks, printed as a table. Run by hand:

    python benchmarks/engine.py [--naive N]

Per question type: executing a question through the engine (prepare), the verdict for a
prepared question (grade: what the learner waits for), the same work in-process (the floor:
no IPC), and one fresh `python -c` per question (the naive way, on a sample). Then cold start
to the first verdict and the time until the next question is ready after a timeout.
"""

from __future__ import annotations

import argparse
import ast
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from functools import partial
from typing import Any

from jaxquiz.decks import discover, draw, instantiate
from jaxquiz.decks.models import CardQuestion, ChoiceQuestion
from jaxquiz.engine import Engine, Task
from jaxquiz.study.grading import Grader
from jaxquiz.study.session import Session

PRELUDE = (
    "import jax, jax.numpy as jnp, jax.random as jr, numpy as np, equinox as eqx, einops\n"
    "from jax import lax\nfrom einops import rearrange, reduce, repeat\nfrom functools import partial\n"
)


REPEATS = 5  # warm runs of each question, engine and floor alike: their median is its time


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def questions():
    rng = random.Random(0)
    for loaded in discover(user=False).decks:
        for question in loaded.deck.questions:
            if isinstance(question, ChoiceQuestion | CardQuestion):
                continue
            concrete = instantiate(question, draw(question, rng))
            answer = getattr(concrete, "expect", None) or getattr(concrete, "solution", "")
            kind = question.type
            if kind == "value" and not is_literal(answer):
                kind = "value (expression answer)"  # the answer itself is code: it may compile
            yield kind, Task.from_question(concrete, loaded.deck.setup), answer


def is_literal(text: str) -> bool:
    """Whether a value answer is plain data ([1, 2], (3.0, True)) rather than code to run."""
    try:
        ast.literal_eval(text.strip())
    except (ValueError, SyntaxError):
        return False
    return True


def measure_engine(items) -> dict[str, dict[str, list[float]]]:
    """Through the engine, per question: the first run (compiles), the verdict for a prepared
    question, and, compiled programs cached, the median of REPEATS of grading it unprepared (one
    request runs the code and compares: the same work as the floor) and of prepare + grade (two
    requests, as the app does while the learner reads)."""
    times: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    with Engine(spare=False) as engine:
        engine.wait_ready()
        for kind, task, answer in items:
            start = time.perf_counter()
            prepared = engine.prepare(task)
            times[kind]["first"].append(elapsed_ms(start))
            start = time.perf_counter()
            engine.grade(task, answer, prepared)
            times[kind]["verdict"].append(elapsed_ms(start))
            times[kind]["graded"].append(median_ms(REPEATS, partial(engine.grade, task, answer)))
            two_steps = partial(prepare_and_grade, engine, task, answer)
            times[kind]["two steps"].append(median_ms(REPEATS, two_steps))
    return times


def prepare_and_grade(engine: Engine, task: Task, answer: str) -> None:
    engine.grade(task, answer, engine.prepare(task))


def median_ms(repeats: int, call: Callable[[], object]) -> float:
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        runs.append(elapsed_ms(start))
    return statistics.median(runs)


def measure_floor(items) -> dict[str, dict[str, list[float]]]:
    """The same work in this process with nothing around it: exec, eval the answer, compare
    (a fill runs twice, the truth and the learner's version). `verdict`: judging the answer the
    first time, after a first run of the truth (as the engine's verdict column); `warm`: the
    median of REPEATS of the whole, compiled programs cached."""
    import jax

    from jaxquiz.engine.worker import compare
    from jaxquiz.engine.worker.sandbox import PRELUDE
    from jaxquiz.engine.worker.service import fill_blank

    def execute(task: Task, code: str) -> Any:
        namespace = dict(PRELUDE)
        if task.setup:
            exec(task.setup, namespace)
        exec(code, namespace)
        value = eval(task.answer, namespace) if task.answer else None
        return jax.block_until_ready(value)

    def truth(task: Task) -> tuple[Any, Exception | None]:
        code = (
            fill_blank(task.code, task.solution or "", task.input == "block")
            if task.type == "fill"
            else task.code
        )
        try:
            return execute(task, code), None
        except Exception as error:
            return None, error

    def judge(task: Task, answer: str, value: Any, error: Exception | None) -> None:
        if task.type == "raises":
            compare.compare_raises(error, answer)
        elif error is not None:
            return
        elif task.type == "shape":
            compare.compare_shape(value, answer)
        elif task.type == "dtype":
            compare.compare_dtype(value, answer)
        elif task.type == "value":
            compare.compare_value(value, answer, task.rtol, task.atol)
        elif task.type == "fill":  # the learner's version runs now, as in the engine
            try:
                learner = execute(task, fill_blank(task.code, answer, task.input == "block"))
            except Exception:
                return
            if task.compare == "shape":
                compare.compare_shapes_of(value, learner)
            else:
                compare.compare_results(value, learner, task.rtol, task.atol)

    def run(task: Task, answer: str) -> None:
        judge(task, answer, *truth(task))

    times: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    os.chdir(tempfile.mkdtemp(prefix="jaxquiz-bench-"))  # questions may write files
    for kind, task, answer in items:
        value, error = truth(task)
        start = time.perf_counter()
        judge(task, answer, value, error)
        times[kind]["verdict"].append(elapsed_ms(start))
        times[kind]["warm"].append(median_ms(REPEATS, partial(run, task, answer)))
    return times


def measure_options() -> list[float]:
    """Choosing an option of a multiple-choice question, as the app does: the Grader grades every
    option while it prepares the question, so the verdict is ready when the learner chooses."""
    rng = random.Random(0)
    times = []
    with Engine(spare=False) as engine:
        engine.wait_ready()
        grader = Grader(engine)
        for loaded in discover(user=False).decks:
            session = Session.quiz(loaded, rng)
            for index in range(len(session.entries)):
                item = session.item(index)
                if item is None or item.task is None or not item.options:
                    continue
                grader.prepare(item)  # while the learner reads
                start = time.perf_counter()
                grader.choose(item, rng.randrange(len(item.options)))
                times.append(elapsed_ms(start))
                grader.forget(item)
    return times


def elapsed_ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def measure_naive(items, per_type: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = defaultdict(list)
    for kind, task, _ in items:
        if len(times[kind]) >= per_type:
            continue
        code = PRELUDE + (task.setup or "") + "\n" + task.code.replace("___", task.solution or "")
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], capture_output=True, check=False)
        times[kind].append((time.perf_counter() - start) * 1000)
    return times


def cold_start_and_recovery() -> tuple[float, float]:
    task = Task("shape", "out = jnp.ones((2, 3))")
    start = time.perf_counter()
    with Engine() as engine:
        engine.grade(task, "(2, 3)")
        cold = (time.perf_counter() - start) * 1000
        engine.wait_ready()
        time.sleep(3)  # let the spare finish warming, as it does while a learner reads
        engine.grade(Task("shape", "while True: pass", timeout=0.5), "1")
        start = time.perf_counter()
        prepared = engine.prepare(task)
        engine.grade(task, "(2, 3)", prepared)
        recovery = (time.perf_counter() - start) * 1000
    return cold, recovery


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--naive", type=int, default=3, help="questions per type run with python -c")
    args = parser.parse_args()
    items = list(questions())
    engine = measure_engine(items)
    floor = measure_floor(items)
    options = measure_options()
    naive = measure_naive(items, args.naive)
    print(f"{len(items)} executing questions from the bundled decks (one draw each); times in ms")
    print("verdict: grading a prepared question (in-process: judging the answer the first time);")
    print("first run: executing it the first time (compiles). Compiled programs cached, the median")
    print(f"of {REPEATS} runs of each question: graded: one request that runs the code and compares;")
    print("floor: the same work in-process, nothing around it; overhead: median over questions of")
    print("graded - floor; 2 steps: prepare, then grade (two requests, as the app does while the")
    print("learner reads) - floor\n")
    header = (
        f"{'type':<26} {'n':>4} | {'verdict med':>11} {'p95':>6} {'in-process p95':>14} |"
        f" {'first run med':>13} {'p95':>7} |"
        f" {'graded med':>10} {'floor med':>9} {'overhead med':>12} {'2 steps':>7} | {'python -c med':>13}"
    )
    print(header)
    print("-" * len(header))
    for kind in sorted(engine):
        verdict, first = engine[kind]["verdict"], engine[kind]["first"]
        graded, two_steps = engine[kind]["graded"], engine[kind]["two steps"]
        warm_floor = floor[kind]["warm"]
        overhead = statistics.median(g - f for g, f in zip(graded, warm_floor, strict=True))
        two_steps_overhead = statistics.median(t - f for t, f in zip(two_steps, warm_floor, strict=True))
        naive_med = statistics.median(naive[kind]) if naive.get(kind) else float("nan")
        print(
            f"{kind:<26} {len(verdict):>4} |"
            f" {statistics.median(verdict):>11.2f} {percentile(verdict, 0.95):>6.2f}"
            f" {percentile(floor[kind]['verdict'], 0.95):>14.2f} |"
            f" {statistics.median(first):>13.1f} {percentile(first, 0.95):>7.1f} |"
            f" {statistics.median(graded):>10.2f} {statistics.median(warm_floor):>9.2f}"
            f" {overhead:>12.2f} {two_steps_overhead:>7.2f} | {naive_med:>13.0f}"
        )
    print(
        f"\noptions: {len(options)} multiple-choice questions, graded ahead; verdict on choosing:"
        f" median {statistics.median(options):.3f}, p95 {percentile(options, 0.95):.3f}"
    )
    cold, recovery = cold_start_and_recovery()
    print(f"\ncold start to the first verdict: {cold:.0f} ms")
    print(f"next question ready after a timeout verdict: {recovery:.1f} ms")


if __name__ == "__main__":
    main()
