"""Engine latency over the bundled decks, printed as a table. Run by hand:

    python benchmarks/engine.py [--naive N] [--puzzles | --devices]

Per question type: the verdict for a prepared question (what the learner waits for), the first
run of a question (compiles), grading through the engine against the same work in-process (the
floor: no process, no sandbox), one fresh `python -c` per question (the naive way, on a sample),
the verdict when choosing an option of a multiple-choice question, and the verdict for an answer
typed as an expression in a later session (a fresh worker, compiled programs on disk). Questions
with `devices` (the sharding decks) are timed apart: the first verdict on such a deck after the
app starts, and the verdict for a prepared one. Then cold start to the first verdict and the
time until the next question is ready after a timeout. Last, the puzzles: their verdicts per
transform set (`--puzzles`: that table only; `--devices`: the questions with devices only).

The engine and the floor are measured in turns, question by question, so that both see the
machine (and its caches) in the same state.
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
import warnings
from collections import defaultdict
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from jaxquiz.decks import discover, draw, instantiate
from jaxquiz.decks.models import CardQuestion, ChoiceQuestion, PuzzleQuestion
from jaxquiz.engine import Engine, Task, forkserver
from jaxquiz.engine.tasks import task_of
from jaxquiz.study.grading import Grader
from jaxquiz.study.session import Session

PRELUDE = (
    "import jax, jax.numpy as jnp, jax.random as jr, numpy as np, equinox as eqx, einops\n"
    "from jax import lax\nfrom einops import rearrange, reduce, repeat\nfrom functools import partial\n"
)


REPEATS = 5  # warm runs of each question, engine and floor alike: their median is its time
READING_S = 0.05  # between a question's prepare and its verdict, as a learner reads
EXPRESSION = "value (expression answer)"
LOAD = "load"  # in the puzzle times: the load average before and after


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def questions(devices: bool = False):
    """Executing questions of the bundled decks, one draw each: those without `devices` (which the
    in-process floor can run), or with `devices` only."""
    rng = random.Random(0)
    for loaded in discover(user=False).decks:
        for question in loaded.deck.questions:
            if isinstance(question, ChoiceQuestion | CardQuestion | PuzzleQuestion):
                continue  # puzzles have their own table (measure_puzzles)
            if (question.devices is not None) != devices:
                continue
            concrete = instantiate(question, draw(question, rng))
            answer = str(getattr(concrete, "expect", None) or getattr(concrete, "solution", ""))
            kind: str = question.type
            if kind == "value" and not is_literal(answer):
                kind = EXPRESSION  # the answer itself is code: it may compile
            yield kind, task_of(concrete, loaded.deck.setup), answer


def is_literal(text: str) -> bool:
    """Whether a value answer is plain data ([1, 2], (3.0, True)) rather than code to run."""
    try:
        ast.literal_eval(text.strip())
    except (ValueError, SyntaxError):
        return False
    return True


Times = dict[str, dict[str, list[float]]]  # question type -> what was timed -> one time per question


def measure(items) -> tuple[Times, Times]:
    """Each question through the engine and in-process, one right after the other, so that both
    see the machine in the same state.

    Engine: the first run (compiles), the verdict for a prepared question, and, compiled programs
    cached, grading it unprepared (one request runs the code and compares: the same work as the
    floor) and prepare + grade (two requests, as the app does while the learner reads).
    In-process: judging the answer the first time after a first run of the truth, and the whole
    work warm (the floor). Warm times are medians of REPEATS, taken in turns.
    """
    engine_times: Times = defaultdict(lambda: defaultdict(list))
    floor_times: Times = defaultdict(lambda: defaultdict(list))
    in_process = InProcess()
    with Engine(spare=False) as engine:
        engine.wait_ready()
        for kind, task, answer in items:
            start = time.perf_counter()
            prepared = engine.prepare(task)
            engine_times[kind]["first"].append(elapsed_ms(start))
            # The learner reads before answering: the worker's tidying after the prepare (freeing
            # the run, the deep check of global state) is over before the verdict is asked for.
            time.sleep(READING_S)
            start = time.perf_counter()
            engine.grade(task, answer, prepared)
            engine_times[kind]["verdict"].append(elapsed_ms(start))
            value, error = in_process.truth(task)
            start = time.perf_counter()
            in_process.judge(task, answer, value, error)
            floor_times[kind]["verdict"].append(elapsed_ms(start))
            warm: dict[str, Callable[[], object]] = {
                "graded": partial(engine.grade, task, answer),
                "two steps": partial(prepare_and_grade, engine, task, answer),
                "floor": partial(in_process.run, task, answer),
            }
            runs: dict[str, list[float]] = defaultdict(list)
            for _ in range(REPEATS):
                for name, call in warm.items():
                    start = time.perf_counter()
                    call()
                    runs[name].append(elapsed_ms(start))
            engine_times[kind]["graded"].append(statistics.median(runs["graded"]))
            engine_times[kind]["two steps"].append(statistics.median(runs["two steps"]))
            floor_times[kind]["warm"].append(statistics.median(runs["floor"]))
    return engine_times, floor_times


def prepare_and_grade(engine: Engine, task: Task, answer: str) -> None:
    engine.grade(task, answer, engine.prepare(task))


class InProcess:
    """The same work in this process with nothing around it: exec, eval the answer, compare (a
    fill runs twice, the truth and the learner's version)."""

    def __init__(self) -> None:
        from jaxquiz.blanks import fill_blank
        from jaxquiz.engine.worker import compare
        from jaxquiz.engine.worker.sandbox import PRELUDE

        self.compare, self.prelude, self.fill_blank = compare, PRELUDE, fill_blank

    def execute(self, task: Task, code: str) -> Any:
        import jax

        namespace = dict(self.prelude)
        if task.setup:
            exec(task.setup, namespace)
        exec(code, namespace)
        value = eval(task.answer, namespace) if task.answer else None
        return jax.block_until_ready(value)

    def truth(self, task: Task) -> tuple[Any, Exception | None]:
        code = task.code
        if task.type == "fill":
            code = self.fill_blank(task.code, task.solution or "", block=task.input == "block")
        try:
            return self.execute(task, code), None
        except Exception as error:
            return None, error

    def judge(self, task: Task, answer: str, value: Any, error: Exception | None) -> None:
        compare = self.compare
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
                learner = self.execute(task, self.fill_blank(task.code, answer, block=task.input == "block"))
            except Exception:
                return
            if task.compare == "shape":
                compare.compare_shapes_of(value, learner)
            else:
                compare.compare_results(value, learner, task.rtol, task.atol)

    def run(self, task: Task, answer: str) -> None:
        self.judge(task, answer, *self.truth(task))


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
                grader.choose(item, [rng.randrange(len(item.options))])
                times.append(elapsed_ms(start))
                grader.forget(item)
    return times


def measure_answers_seen_before(items) -> list[float]:
    """The verdict for an answer typed as an expression, by a learner who gave it in an earlier
    session: a fresh worker, with XLA's compiled programs on disk, as the app keeps them."""
    expressions = [(task, answer) for kind, task, answer in items if kind == EXPRESSION]
    times = []
    with tempfile.TemporaryDirectory(prefix="jaxquiz-bench-cache-") as cache:
        for session in ("earlier", "now"):
            with Engine(spare=False, compile_cache=Path(cache)) as engine:
                engine.wait_ready()
                for task, answer in expressions:
                    prepared = engine.prepare(task)
                    start = time.perf_counter()
                    engine.grade(task, answer, prepared)
                    if session == "now":
                        times.append(elapsed_ms(start))
    return times


def measure_puzzles(cache: bool = True) -> dict[str, dict[str, list[float]]]:
    """Per transform set: preparing each bundled puzzle (the reference on every draw, while the
    learner writes), then, after a reading pause, the verdict for each answer submitted once as
    a learner would: the solution itself ("right": every draw runs, and each program is the one
    the reference compiled), the solution written another way ("another": right too, but its
    programs are new, as a learner's own right answer mostly is), and every wrong entry of the
    deck (it stops at its first failure, then shrinks it). `cache`: XLA's compiled programs on
    disk, as the app keeps them (a fresh folder: nothing from an earlier session). The target:
    verdict median <= 0.5 s, p95 <= 1.5 s."""
    times: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    times[LOAD]["1 min"].append(os.getloadavg()[0])  # the machine is shared: say how busy it was
    with (
        tempfile.TemporaryDirectory(prefix="jaxquiz-bench-cache-") as folder,
        Engine(spare=False, compile_cache=Path(folder) if cache else None) as engine,
    ):
        engine.wait_ready()
        for loaded in discover(user=False).decks:
            for question in loaded.deck.questions:
                if not isinstance(question, PuzzleQuestion):
                    continue
                task = task_of(question, loaded.deck.setup)
                kind = "+".join(question.transforms)
                start = time.perf_counter()
                prepared = engine.prepare(task)
                times[kind]["prepare"].append(elapsed_ms(start))
                answers = [
                    (question.solution, "right"),
                    (written_another_way(question), "another"),
                    *((wrong, "wrong") for wrong in question.wrong),
                ]
                for answer, label in answers:
                    time.sleep(READING_S)  # the worker tidies after each reply, as a learner reads
                    worker = engine.wait_ready().pid
                    cpu = cpu_ms(worker)
                    start = time.perf_counter()
                    verdict = engine.grade(task, answer, prepared)
                    took = elapsed_ms(start)
                    cpu = cpu_ms(worker) - cpu
                    if verdict.correct != (label != "wrong"):
                        raise RuntimeError(f"{question.id}: the {label} answer was graded {verdict}")
                    if label != "another":  # the deck's own answers, as the figures before
                        times[kind]["verdict"].append(took)
                        times[kind]["cpu"].append(cpu)
                    times[kind][label].append(took)
                engine.forget(prepared)
    times[LOAD]["1 min"].append(os.getloadavg()[0])
    return times


def cpu_ms(pid: int) -> float:
    """CPU time a process has used, its threads together (XLA compiles on one): what a verdict
    costs, less sensitive than its wall time to what else the machine runs."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def written_another_way(question: PuzzleQuestion) -> str:
    """The solution with `+ 0` on every leaf of its result: right, but no program of it is one
    the reference compiled (most of its operations are)."""
    name = question.function_name
    params = question.signature.split("(", 1)[1].rsplit(")", 1)[0]
    return (
        f"{question.solution}\n_reference_{name} = {name}\n\n"
        f"def {name}({params}):\n"
        f"    return jax.tree.map(lambda v: v + jnp.zeros_like(v), _reference_{name}({params}))\n"
    )


def print_puzzles(times: dict[str, dict[str, list[float]]], cache: bool = True) -> None:
    print("\npuzzles (decks/puzzles.yaml), per transform set; times in ms. prepare: the reference on")
    print("every draw, while the learner writes; verdict: grading one submitted answer, prepared: the")
    print("deck's own, each once (right: the solution; wrong: each wrong entry, shrinking included);")
    print("another: the solution written another way (right, new programs); cpu: the worker's CPU time")
    print("for the verdict (utime + stime, 10 ms ticks; less sensitive to other load than the wall")
    print("time); target med <= 500, p95 <= 1500. Load average (1 min) before and after the run:")
    print(", ".join(f"{load:.1f}" for load in times.pop(LOAD)["1 min"]))
    print(
        "compiled programs cached on disk as the app does (a fresh folder)"
        if cache
        else "no compile cache (the app keeps one: --no-cache is the worst case)"
    )
    print()
    header = (
        f"{'transforms':<16} {'puzzles':>7} {'answers':>7} | {'verdict med':>11} {'p95':>6} |"
        f" {'cpu med':>7} {'p95':>6} |"
        f" {'right med':>9} {'p95':>6} | {'another med':>11} {'p95':>6} | {'wrong med':>9} {'p95':>6} |"
        f" {'prepare med':>11} {'p95':>6}"
    )
    print(header)
    print("-" * len(header))

    def cells(values: list[float], width: int) -> str:
        return f"{statistics.median(values):>{width}.0f} {percentile(values, 0.95):>6.0f}"

    for kind in sorted(times):
        row = times[kind]
        print(
            f"{kind:<16} {len(row['prepare']):>7} {len(row['verdict']):>7} | {cells(row['verdict'], 11)} |"
            f" {cells(row['cpu'], 7)} |"
            f" {cells(row['right'], 9)} | {cells(row['another'], 11)} | {cells(row['wrong'], 9)} |"
            f" {cells(row['prepare'], 11)}"
        )
    every = [t for row in times.values() for t in row["verdict"]]
    cpu = [t for row in times.values() for t in row["cpu"]]
    print(f"{'all':<16} {'':>7} {len(every):>7} | {cells(every, 11)} | {cells(cpu, 7)} |")


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


def cold_start_and_recovery() -> tuple[float, float, float]:
    """Cold start to the first verdict; the next verdict after a timeout (the spare takes over),
    and after two crashes in a row (no warm spare left: a worker starts for it)."""
    task = Task("shape", "out = jnp.ones((2, 3))")
    loop = Task("shape", "while True: pass", timeout=0.5)
    crash = Task("shape", "import os\nos._exit(1)")
    forkserver.stop()  # cold: as the app starts, with no fork server yet
    start = time.perf_counter()
    with Engine() as engine:
        engine.grade(task, "(2, 3)")
        cold = (time.perf_counter() - start) * 1000
        engine.wait_ready()
        time.sleep(3)  # let the spare finish warming, as it does while a learner reads
        engine.grade(loop, "1")
        start = time.perf_counter()
        prepared = engine.prepare(task)
        engine.grade(task, "(2, 3)", prepared)
        recovery = (time.perf_counter() - start) * 1000
        time.sleep(3)
        engine.grade(crash, "1")
        engine.grade(crash, "1")
        start = time.perf_counter()
        prepared = engine.prepare(task)
        engine.grade(task, "(2, 3)", prepared)
        second = (time.perf_counter() - start) * 1000
    return cold, recovery, second


def measure_devices(items) -> tuple[float, float, dict[str, list[float]]]:
    """Questions with `devices`, as the app runs them: the first verdict on such a deck when it
    is opened as soon as the app starts (the default worker warming too), and when it is opened
    once the app is warm (the deck's worker starts then, while the lesson is read); then the
    verdict for each question prepared ahead."""
    _, first_task, first_answer = items[0]
    with Engine() as engine:
        engine.start()  # the app starts its default worker at once
        engine.wait_ready()
        time.sleep(3)  # the spare warms while the learner looks at the home screen
        start = time.perf_counter()
        engine.warm([first_task.devices])  # opening the deck
        engine.grade(first_task, first_answer, engine.prepare(first_task))
        after_warm = elapsed_ms(start)
    start = time.perf_counter()
    with Engine() as engine:
        engine.start()
        engine.warm([first_task.devices])
        engine.grade(first_task, first_answer, engine.prepare(first_task))
        first = elapsed_ms(start)
        time.sleep(3)  # the learner reads the first verdict; the deck's spare worker warms
        times: dict[str, list[float]] = defaultdict(list)
        for kind, task, answer in items:
            prepared = engine.prepare(task)
            time.sleep(READING_S)  # as for the other questions: the learner reads first
            start = time.perf_counter()
            engine.grade(task, answer, prepared)
            times[kind].append(elapsed_ms(start))
            engine.forget(prepared)
    return first, after_warm, times


def print_devices() -> None:
    device_items = list(questions(devices=True))
    if not device_items:
        return
    first, after_warm, prepared = measure_devices(device_items)
    counts = sorted({task.devices for _, task, _ in device_items})
    print(
        f"\n{len(device_items)} questions with devices ({', '.join(map(str, counts))} virtual CPU devices"
        f" when the machine has fewer)\nfirst verdict on such a deck opened as the app starts:"
        f" {first:.0f} ms; opened once the app is warm: {after_warm:.0f} ms\n"
    )
    print(f"{'type':<26} {'n':>4} | {'verdict med':>11} {'p95':>7}")
    for kind in sorted(prepared):
        times = prepared[kind]
        median, p95 = statistics.median(times), percentile(times, 0.95)
        print(f"{kind:<26} {len(times):>4} | {median:>11.2f} {p95:>7.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--naive", type=int, default=3, help="questions per type run with python -c")
    parser.add_argument("--puzzles", action="store_true", help="only the table of the puzzles")
    parser.add_argument("--devices", action="store_true", help="only the questions with devices")
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="puzzles without XLA's compile cache on disk (the app keeps one)",
    )
    args = parser.parse_args()
    os.chdir(tempfile.mkdtemp(prefix="jaxquiz-bench-"))  # questions run in-process may write files
    cache = not args.no_cache
    if args.puzzles:
        print_puzzles(measure_puzzles(cache), cache)
        return
    if args.devices:
        print_devices()
        return
    warnings.simplefilter("ignore")  # what questions run in-process warn about (the worker captures it)
    items = list(questions())
    engine, floor = measure(items)
    options = measure_options()
    seen_before = measure_answers_seen_before(items)
    naive = measure_naive(items, args.naive)
    print(f"{len(items)} executing questions from the bundled decks (one draw each); times in ms")
    print("verdict: grading a prepared question (in-process: judging the answer the first time);")
    print("first run: executing it the first time (compiles). Compiled programs cached, the median")
    print(f"of {REPEATS} runs of each question, engine and in-process in turns: graded: one request")
    print("that runs the code and compares; floor: the same work in-process, nothing around it;")
    print("overhead: median over questions of graded - floor; 2 steps: prepare, then grade (two")
    print("requests, as the app does while the learner reads) - floor\n")
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
    print(
        f"{EXPRESSION}, given in an earlier session (fresh worker, XLA's disk cache): verdict"
        f" median {statistics.median(seen_before):.2f}, p95 {percentile(seen_before, 0.95):.2f}"
    )
    print_devices()
    cold, recovery, second = cold_start_and_recovery()
    print(f"\ncold start to the first verdict: {cold:.0f} ms")
    print(f"next question ready after a timeout verdict: {recovery:.1f} ms")
    print(f"next question ready after two crashes in a row (no spare): {second:.0f} ms")
    print_puzzles(measure_puzzles(cache), cache)


if __name__ == "__main__":
    main()
