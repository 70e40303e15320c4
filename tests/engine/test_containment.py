"""The engine against a real worker: timeouts, crashes, output, memory, and no state leaks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from jaxquiz.engine import Engine, Task

# `engine` is the test process's shared one (tests/conftest.py), with a spare: these tests time
# out, crash and spoil its workers on purpose, and each then checks that the next question works.


def shape_task(code: str, timeout: float = 10.0) -> Task:
    return Task("shape", code, timeout=timeout)


def assert_next_question_works(engine: Engine) -> None:
    verdict = engine.grade(shape_task("out = jnp.ones((2, 3))"), "(2, 3)")
    assert verdict.status == "graded" and verdict.correct


def test_timeout_kills_the_worker_and_the_spare_takes_over(engine):
    before = engine.replacements
    pid = engine.wait_ready().pid
    verdict = engine.grade(shape_task("while True:\n    pass", timeout=0.3), "(1,)")
    assert verdict.status == "timeout"
    assert not verdict.correct
    assert "0.3 s" in verdict.error
    assert engine.replacements == before + 1
    assert engine.wait_ready().pid != pid
    assert_next_question_works(engine)


@pytest.mark.parametrize(
    ("task", "answer", "status"),
    [
        (
            Task("fill", "out = ___", solution="jnp.ones(2)", timeout=0.5),
            "next(x for x in iter(int, 1) if x)",
            "timeout",
        ),
        (Task("value", "out = jnp.ones(2)", timeout=1), "__import__('os')._exit(3)", "crashed"),
    ],
    ids=["fill-loops", "value-expression-exits"],
)
def test_a_learners_run_that_fails_is_their_answer_and_keeps_the_truth(engine, task, answer, status):
    prepared = engine.prepare(task)
    verdict = engine.grade(task, answer, prepared)
    assert verdict.status == status
    assert not verdict.correct
    assert verdict.truth == prepared.outcome  # the question ran: the verdict can still show it
    assert verdict.truth.shape == (2,)
    assert_next_question_works(engine)


@pytest.mark.parametrize(
    ("code", "words"),
    # Every way of dying is worded in test_supervision.py (a fake worker); here, real code.
    [("import ctypes\nctypes.string_at(0)", "segmentation fault")],
    ids=["segfault"],
)
def test_a_crash_is_a_verdict_in_plain_words_and_the_next_question_works(engine, code, words):
    verdict = engine.grade(shape_task(code), "(1,)")
    assert verdict.status == "crashed"
    assert words in verdict.error
    assert_next_question_works(engine)


def test_system_exit_is_reported_and_the_worker_survives(engine):
    pid = engine.wait_ready().pid
    verdict = engine.grade(Task("raises", "import sys\nsys.exit(4)", answer=None), "SystemExit")
    assert verdict.correct
    assert verdict.truth.error == "the code called exit(4)"
    assert engine.wait_ready().pid == pid


def test_output_is_captured_even_from_fd_1_and_a_closed_stdout(engine):
    code = (
        "print('from print')\n"
        "import os, sys\n"
        "os.write(1, b'from fd 1\\n')\n"
        "os.write(2, b'from fd 2\\n')\n"
        "sys.stdout.close()\n"
        "out = jnp.zeros(4)\n"
    )
    verdict = engine.grade(shape_task(code), "4")
    assert verdict.correct
    assert verdict.truth.output.splitlines() == ["from print", "from fd 1", "from fd 2"]
    assert_next_question_works(engine)


def test_jax_debug_print_under_jit_is_captured(engine):
    code = "@jax.jit\ndef f(x):\n    jax.debug.print('x is {x}', x=x)\n    return x\nout = f(jnp.ones(2))"
    verdict = engine.grade(shape_task(code), "2")
    assert verdict.truth.output == "x is [1. 1.]\n"


def test_long_output_is_capped_with_a_note(engine):
    verdict = engine.grade(shape_task("print('x' * 200_000)\nout = jnp.ones(1)"), "1")
    assert verdict.correct
    assert len(verdict.truth.output) < 70_000
    assert "output cut" in verdict.truth.output


def test_x64_turned_on_by_one_question_does_not_leak_into_the_next(engine):
    engine.grade(shape_task("jax.config.update('jax_enable_x64', True)\nout = jnp.ones(2)"), "2")
    verdict = engine.grade(Task("dtype", "out = jnp.ones(2) / 3"), "float32")
    assert verdict.correct, verdict.difference


def test_monkeypatching_environment_and_cwd_do_not_leak(engine):
    engine.grade(
        shape_task(
            "jnp.sum = lambda *a, **k: 42\n"
            "jnp.brand_new = 1\n"
            "import os, sys\n"
            "sys.path.append('elsewhere')\n"
            "os.environ['JAXQUIZ_LEAK'] = '1'\n"
            "os.chdir('/')\n"
            "out = jnp.ones(2)"
        ),
        "2",
    )
    verdict = engine.grade(
        Task(
            "value",
            "import os, sys\n"
            "out = (jnp.sum(jnp.ones(3)), hasattr(jnp, 'brand_new'), 'elsewhere' in sys.path,\n"
            "       'JAXQUIZ_LEAK' in os.environ, os.getcwd() == '/')",
        ),
        "(3.0, False, False, False, False)",
    )
    assert verdict.correct, verdict.difference


def test_a_submodule_imported_by_one_question_can_be_imported_by_the_next(engine):
    # The import sets an attribute on the parent package; the guard must not delete it, since
    # the submodule stays in sys.modules and a second import would not set it again.
    code = "import jax.example_libraries.optimizers as o\nout = jnp.ones(len(jax.example_libraries.__name__))"
    for _ in range(2):
        verdict = engine.grade(shape_task(code), "21")
        assert verdict.correct, verdict.error


# One normal draw leaves a cached second value behind: the next run must not see it.
@pytest.mark.parametrize("meddling", ["np.random.seed(0)", "np.random.rand()", "np.random.normal()"])
def test_every_run_starts_from_the_same_numpy_random_state(engine, meddling):
    draw = Task("value", "out = np.random.normal(size=3)")
    first = engine.prepare(draw).outcome.preview
    meddled = engine.prepare(Task("value", f"{meddling}\nout = np.random.normal(size=3)")).outcome.preview
    assert meddled != first
    assert engine.prepare(draw).outcome.preview == first


def test_names_defined_by_one_question_are_not_seen_by_the_next(engine):
    engine.grade(shape_task("leftover = 1\nout = jnp.ones(1)"), "1")
    verdict = engine.grade(Task("raises", "leftover", answer=None), "NameError")
    assert verdict.correct


def test_each_run_gets_its_own_temporary_working_directory(engine):
    engine.grade(shape_task("open('note.txt', 'w').write('hi')\nout = jnp.ones(1)"), "1")
    verdict = engine.grade(Task("value", "import os\nout = os.path.exists('note.txt')"), "False")
    assert verdict.correct


def test_code_that_removes_its_working_directory_does_not_break_the_next_run(engine):
    engine.grade(shape_task("import os, shutil\nshutil.rmtree(os.getcwd())\nout = jnp.ones(1)"), "1")
    code = "import os\nopen('note.txt', 'w').write('hi')\nout = os.listdir('.')"
    verdict = engine.grade(Task("value", code), "['note.txt']")
    assert verdict.correct, verdict.error or verdict.difference


@pytest.mark.parametrize(
    "chore",
    ["lambda: 1 / 0", "lambda: time.sleep(60)"],
    ids=["raises", "hangs"],
)
def test_a_worker_that_cannot_tidy_up_is_replaced_before_the_next_question(engine, chore):
    # Question code runs in the worker, so it can leave the worker a chore that fails after the
    # reply, as a `__del__` of something it left behind could.
    before = engine.replacements
    pid = engine.wait_ready().pid
    code = f"import time\nfrom jaxquiz.engine.worker import chores\nchores.later({chore})\nout = jnp.ones(2)"
    verdict = engine.grade(shape_task(code), "2")
    assert verdict.status == "graded" and verdict.correct  # the reply came before the chore
    start = time.perf_counter()
    assert_next_question_works(engine)  # not a crash: the spare answered in its place
    assert time.perf_counter() - start < 10  # a hanging chore is stopped, not waited for
    assert engine.replacements == before + 1
    assert engine.wait_ready().pid != pid


def test_code_that_leaves_a_thread_running_gets_a_fresh_worker(engine):
    before = engine.replacements
    code = (
        "import threading, time\nthreading.Thread(target=time.sleep, args=(30,)).start()\nout = jnp.ones(2)"
    )
    verdict = engine.grade(shape_task(code), "2")
    assert verdict.correct
    assert engine.replacements == before + 1
    assert_next_question_works(engine)


def test_a_prepared_question_is_graded_without_running_it_again(engine):
    task = shape_task("out = jnp.ones((5, 7))")
    prepared = engine.prepare(task)
    assert prepared.outcome.shape == (5, 7)
    verdict = engine.grade(task, "(5, 7)", prepared)
    assert verdict.correct
    assert verdict.timings.execute_ms == 0.0
    assert verdict.timings.total_ms > 0.0


def test_explore_describes_every_array_and_pytree_left_behind(engine):
    result = engine.explore(
        "x = jnp.ones((3, 2))\n"
        "params = {'w': jnp.zeros((2, 4)), 'b': jnp.zeros(4)}\n"
        "n = 3\n"
        "out = x @ params['w']",
        answer="out",
    )
    by_name = {b.name: b for b in result.bindings}
    assert by_name["x"].shape == (3, 2) and by_name["x"].dtype == "float32"
    assert by_name["params"].kind == "pytree" and by_name["params"].leaves == 2
    assert by_name["n"].kind == "int"
    assert "jnp" not in by_name
    assert result.answer is not None and result.answer.shape == (3, 4)


def test_explore_reports_the_error_with_the_line(engine):
    result = engine.explore("x = jnp.ones(3)\ny = x.reshape(2, 2)\n")
    assert result.outcome.exception == "TypeError"
    assert "line 2" in result.outcome.traceback
    assert [b.name for b in result.bindings] == ["x"]


def test_memory_cap_gives_an_out_of_memory_verdict_and_recovers(small_engine):
    # 2 GiB at once, four times the cap
    verdict = small_engine.grade(shape_task("out = jnp.ones((1024, 1024, 512))"), "(1024, 1024, 512)")
    assert verdict.status == "out-of-memory"
    assert "out of memory" in verdict.error
    assert_next_question_works(small_engine)


def test_the_device_that_ran_the_code_is_reported(engine):
    verdict = engine.grade(shape_task("out = jnp.ones(1)"), "1")
    assert verdict.device == engine.wait_ready().device
    assert verdict.device == "cpu" or ":" in verdict.device


def test_a_worker_started_from_a_short_lived_thread_outlives_the_thread(shared_compile_cache):
    engine = Engine(spare=False, compile_cache=shared_compile_cache)
    starter = threading.Thread(target=engine.start)
    starter.start()
    starter.join()
    try:
        engine.wait_ready()
        assert_next_question_works(engine)
    finally:
        engine.close()


def test_workers_exit_when_the_app_is_killed(tmp_path):
    app = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import os\n"
            "from jaxquiz.engine import Engine\n"
            "e = Engine().start()\n"
            "e.wait_ready()\n"
            "e._spare.wait_ready(60)\n"
            "tasks = os.listdir('/proc/self/task')\n"
            "children = ' '.join(open(f'/proc/self/task/{t}/children').read() for t in tasks)\n"
            "print(e._current.pid, e._spare.pid, *children.split(), flush=True)\n"
            "print(e._current.tempdir, e._spare.tempdir, flush=True)\n"
            "import time; time.sleep(60)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    pids = {int(p) for p in app.stdout.readline().split()}  # the worker, the spare, the fork server
    tempdirs = app.stdout.readline().split()
    assert len(pids) == 3 and all(os.path.isdir(tempdir) for tempdir in tempdirs)
    app.send_signal(signal.SIGKILL)
    app.wait()
    deadline = time.monotonic() + 10
    alive = pids
    while alive and time.monotonic() < deadline:
        time.sleep(0.2)
        alive = [pid for pid in pids if _running(pid)]
    assert alive == [], "workers or the fork server outlived the app"
    # emptied (Landlock lets a worker remove what is inside its folder, not the folder itself)
    for tempdir in tempdirs:
        assert not os.path.exists(tempdir) or os.listdir(tempdir) == [], "a worker's files outlived it"
        if os.path.isdir(tempdir):
            os.rmdir(tempdir)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie has exited; only its parent (gone) could reap it
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split()[2] != "Z"


@pytest.mark.parametrize(
    "closing",
    [
        "sys.stdout.close()",
        "os.close(1)\nos.close(2)",
        "os.close(CapturedOutput.fd)",  # the capture file
        "os.close(CapturedOutput.originals[1])",  # the worker's own stderr, kept aside
    ],
)
def test_code_that_closes_an_output_descriptor_does_not_break_the_next_run(engine, closing):
    prelude = "import os, sys\nfrom jaxquiz.engine.worker.capture import CapturedOutput\n"
    code = f"{prelude}{closing}\nout = jnp.ones(1)\n"
    assert engine.grade(shape_task(code), "1").correct
    verdict = engine.grade(shape_task("print('still captured')\nout = jnp.ones(1)"), "1")
    assert verdict.correct
    assert verdict.truth.output == "still captured\n"
