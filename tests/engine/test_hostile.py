"""Hostile question code against the real worker: forged replies, escaping processes, the sandbox.

Each case is one that once got through (issue 14): the worker's socket used by the code, forked
or spawned processes, writes outside the run's folder, TCP, UDP and Unix sockets, signals to the app.
"""

from __future__ import annotations

import os
import textwrap
import time
from pathlib import Path

import pytest

from jaxquiz import paths
from jaxquiz.engine import Engine, Task, landlock, seccomp

# `engine` is the test process's shared one (tests/conftest.py), with a spare: these runs crash
# its workers on purpose, and each test then checks that grading is still right.


def assert_grading_is_right(engine: Engine) -> None:
    """The next question gets its own verdict: right for the right answer, wrong for a wrong one."""
    task = Task("shape", "out = jnp.ones((2, 3))")
    right = engine.grade(task, "(2, 3)")
    wrong = engine.grade(task, "(9, 9)")
    assert (right.status, right.correct) == ("graded", True), right.error
    assert (wrong.status, wrong.correct) == ("graded", False), wrong.error


def run(engine: Engine, code: str):
    return engine.explore(textwrap.dedent(code))


def binding(exploration, name: str) -> str:
    return next(b.preview for b in exploration.bindings if b.name == name)


def running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


WRITE_TO_SOCKETS = """
import os
def write_to_sockets(data):
    for name in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{name}").startswith("socket:"):
                os.write(int(name), data)
        except OSError:
            pass
"""


# --- the worker's socket ----------------------------------------------------------------------


def test_a_pickle_written_to_the_socket_runs_nothing_in_the_app(engine, tmp_path):
    marker = tmp_path / "pwned"
    code = WRITE_TO_SOCKETS + textwrap.dedent(f"""
        import pickle
        class Boom:
            def __reduce__(self):
                return (os.system, ("touch {marker}",))
        payload = pickle.dumps(("ok", Boom(), None))
        write_to_sockets(len(payload).to_bytes(4, "big") + payload)
        out = jnp.ones(2)
    """)
    verdict = engine.grade(Task("shape", code), "(2,)")
    time.sleep(0.2)
    assert not marker.exists()
    assert verdict.status == "crashed"
    assert "not valid" in verdict.error
    assert_grading_is_right(engine)


def test_a_forged_reply_never_answers_a_later_question(engine):
    # The code finds the number of the request it runs in, and answers it and the next one
    # itself: "correct", whatever was typed.
    code = WRITE_TO_SOCKETS + textwrap.dedent("""
        import sys
        from jaxquiz.engine import wire
        from jaxquiz.engine.protocol import Answer, Verdict
        frame, seq = sys._getframe(), 0
        while frame is not None:
            envelope = frame.f_locals.get("envelope")
            seq = getattr(envelope, "seq", seq)
            frame = frame.f_back
        for n in (seq, seq + 1, seq + 2):
            write_to_sockets(wire.encode(Answer(n, Verdict("graded", True, "forged"))))
        out = jnp.ones(2)
    """)
    engine.grade(Task("shape", code), "(9, 9)")  # its own verdict is the code's to spoil
    assert_grading_is_right(engine)


def test_a_reply_from_a_forked_child_is_refused(engine):
    code = WRITE_TO_SOCKETS + textwrap.dedent("""
        from jaxquiz.engine import wire
        from jaxquiz.engine.protocol import Answer, Verdict
        if os.fork() == 0:
            write_to_sockets(wire.encode(Answer(1, Verdict("graded", True, "forged"))))
            os._exit(0)
        import time
        time.sleep(0.5)
        out = jnp.ones(2)
    """)
    verdict = engine.grade(Task("shape", code), "(9, 9)")
    assert not verdict.correct
    assert verdict.status == "crashed"
    assert "not the worker" in verdict.error
    assert_grading_is_right(engine)


# --- processes the code starts ----------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "child = os.fork()\nout = jnp.ones(2)",  # a copy of the worker, which hangs in jax
        "child = os.fork()\nif child == 0:\n    while True:\n        pass",
        "import subprocess\nchild = subprocess.Popen(['sleep', '91']).pid",
        # detached twice over: its own session, its parent gone
        "import subprocess\nchild = int(subprocess.check_output("
        "['sh', '-c', 'setsid sleep 92 > /dev/null 2>&1 & echo $!']))",
    ],
    ids=["fork", "forked-loop", "popen", "setsid-double-fork"],
)
def test_no_process_the_code_starts_outlives_its_run(engine, code):
    pid = engine.wait_ready().pid
    exploration = run(engine, "import os\n" + code)
    child = int(binding(exploration, "child"))
    assert child > 0
    assert not running(child)
    assert engine.wait_ready().pid == pid  # the worker itself stays
    assert_grading_is_right(engine)


# --- the kernel's sandbox ---------------------------------------------------------------------

needs_landlock = pytest.mark.skipif(landlock.abi() == 0, reason="Landlock is Linux 5.13+ only")


def test_the_worker_does_not_know_the_data_dir_or_the_cache_dir(engine, data_dir):
    code = "import os\ndata = os.environ.get('JAXQUIZ_DATA_DIR', 'none')\n"
    exploration = run(engine, code + "cache = os.environ.get('JAXQUIZ_CACHE_DIR', 'none')")
    assert os.environ[paths.DATA_DIR_ENV] == str(data_dir)
    assert os.environ[paths.CACHE_DIR_ENV]  # this run's (tests/conftest.py)
    assert binding(exploration, "data") == binding(exploration, "cache") == "'none'"


@needs_landlock
@pytest.mark.parametrize("target", ["trust", "progress", "home"])
def test_the_code_cannot_write_outside_its_run(engine, data_dir, target):
    data_dir.mkdir(parents=True, exist_ok=True)
    path = {
        "trust": data_dir / "trust.json",
        "progress": data_dir / "progress.sqlite3",
        "home": Path.home() / f".jaxquiz-probe-{os.getpid()}",
    }[target]
    if target != "home":
        path.write_text("{}")
    exploration = run(engine, f"with open({str(path)!r}, 'a') as f:\n    f.write('[\"/\"]')")
    try:
        assert "PermissionError" in (exploration.outcome.exception or "")
        assert (target == "home" and not path.exists()) or path.read_text() == "{}"
    finally:
        if target == "home":
            path.unlink(missing_ok=True)


@needs_landlock
def test_the_code_can_write_in_its_own_folder(engine):
    exploration = run(engine, "open('notes.txt', 'w').write('x')\nback = open('notes.txt').read()")
    assert exploration.outcome.exception is None
    assert binding(exploration, "back") == "'x'"


@pytest.mark.skipif(landlock.abi() < landlock.ABI_TCP, reason="Landlock ABI 4 refuses TCP")
def test_the_code_cannot_open_a_tcp_connection(engine):
    import socket

    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    try:
        exploration = run(
            engine, f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=2)"
        )
    finally:
        server.close()
    assert "PermissionError" in (exploration.outcome.exception or "")


@pytest.mark.skipif(not seccomp.available(), reason="seccomp filters are Linux-only")
def test_the_code_cannot_send_over_udp_or_reach_a_program_through_a_unix_socket(engine, tmp_path):
    """What Landlock leaves open: a datagram out of the machine, and a socket named by a path (as
    a desktop's session bus is, which starts programs outside any sandbox)."""
    import socket

    listening = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listening.bind(str(tmp_path / "bus"))
    listening.listen(1)
    listening.setblocking(False)
    datagrams = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    datagrams.bind(("127.0.0.1", 0))
    datagrams.setblocking(False)
    code = """
    import socket
    try:
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"secret", ("127.0.0.1", {port}))
    except PermissionError:
        udp = "refused"
    try:
        socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).connect({bus!r})
    except PermissionError:
        unix = "refused"
    """
    try:
        exploration = run(engine, code.format(port=datagrams.getsockname()[1], bus=str(tmp_path / "bus")))
        with pytest.raises(BlockingIOError):
            listening.accept()
        with pytest.raises(BlockingIOError):
            datagrams.recv(64)
    finally:
        listening.close()
        datagrams.close()
    assert exploration.outcome.exception is None, exploration.outcome.error
    assert binding(exploration, "udp") == binding(exploration, "unix") == "'refused'"
    assert_grading_is_right(engine)


@pytest.mark.skipif(landlock.abi() < landlock.ABI_SCOPE, reason="Landlock ABI 6 scopes signals")
def test_the_code_cannot_kill_the_app(engine):
    exploration = run(engine, "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)")
    assert "PermissionError" in (exploration.outcome.exception or "")
    assert_grading_is_right(engine)  # and this process is still here to see it


# --- global state the code changes ------------------------------------------------------------

NOFILE_40 = (
    "import os\nfds = [os.open(os.devnull, os.O_RDONLY) for _ in range(40)]\n"
    "for fd in fds:\n    os.close(fd)\nout = jnp.ones(len(fds))"
)
SOFT_NOFILE = "import resource\nhard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]\n"


@pytest.mark.parametrize(
    ("leak", "task", "answer"),
    [
        ("jax.enable_x64(True).__enter__()", Task("dtype", "out = jnp.ones(2)"), "float32"),
        (
            "import sys, types\nsys.modules['jax.numpy'] = types.SimpleNamespace(zeros=lambda *a: 0)",
            Task("shape", "import jax.numpy as jnp2\nout = jnp2.zeros(3)"),
            "(3,)",
        ),
        (
            "jnp.ones.__code__ = (lambda shape, dtype=None, *, device=None, out_sharding=None: 0).__code__",
            Task("shape", "out = jnp.ones((2, 3))"),
            "(2, 3)",
        ),
        (
            # as many names as before, one of them new (in a module put back after the reply)
            "length = jnp.linalg.norm\ndel jnp.linalg.norm\njnp.linalg.length = length",
            Task("value", "out = (hasattr(jnp.linalg, 'norm'), hasattr(jnp.linalg, 'length'))"),
            "(True, False)",
        ),
        (
            "jnp.linspace.__defaults__ = (7, *jnp.linspace.__defaults__[1:])",
            Task("shape", "out = jnp.linspace(0.0, 1.0)"),
            "(50,)",
        ),
        (
            "jnp.meshgrid.__kwdefaults__ = {**jnp.meshgrid.__kwdefaults__, 'indexing': 'ij'}",
            Task("shape", "out = jnp.meshgrid(jnp.arange(2), jnp.arange(3))[0]"),
            "(3, 2)",
        ),
        (
            # written into the dict behind the class's read-only mappingproxy: no setattr at all
            "import gc\ngc.get_referents(vars(eqx.nn.Linear))[0]['leaked'] = 1",
            Task("value", "out = hasattr(eqx.nn.Linear, 'leaked')"),
            "False",
        ),
        (
            "jnp.linalg.norm = lambda *args, **kwargs: 0.0",
            Task("value", "out = jnp.linalg.norm(jnp.array([3.0, 4.0]))"),
            "5.0",
        ),
        (
            "import warnings\nwarnings.simplefilter('error')",
            Task("shape", "import warnings\nwarnings.warn('careful')\nout = jnp.ones(2)"),
            "(2,)",
        ),
        ("np.seterr(all='raise')", Task("shape", "out = np.array([1.0]) / 0"), "(1,)"),
        (
            "import sys\nsys.setprofile(lambda *args: None)",
            Task("shape", "import sys\nout = jnp.ones(1 if sys.getprofile() is None else 2)"),
            "(1,)",
        ),
        (
            SOFT_NOFILE + "resource.setrlimit(resource.RLIMIT_NOFILE, (16, hard))",
            Task("shape", NOFILE_40),
            "(40,)",
        ),
        (
            # the hard limit cannot rise again: the worker is replaced
            "import resource\nresource.setrlimit(resource.RLIMIT_NOFILE, (16, 16))",
            Task("shape", NOFILE_40),
            "(40,)",
        ),
        ("import builtins\nbuiltins.len = lambda x: 7", Task("shape", "out = jnp.ones(len([1, 2]))"), "(2,)"),
        (
            # an audit hook cannot be removed: one that refused to compile would fail every run after
            "import sys\ndef refuse(event, args):\n    if event == 'compile':\n"
            "        raise ValueError('no compiling')\nsys.addaudithook(refuse)",
            Task("shape", "out = jnp.ones(2)"),
            "(2,)",
        ),
        (
            "eqx.nn.Linear.__call__ = lambda self, x, **kw: 0",
            Task("shape", "out = eqx.nn.Linear(2, 3, key=jr.key(0))(jnp.ones(2))"),
            "(3,)",
        ),
    ],
    ids=[
        "enable-x64-entered",
        "fake-sys-modules",
        "function-code-swapped",
        "function-renamed",
        "function-defaults-replaced",
        "function-keyword-defaults-replaced",
        "class-dict-written-directly",
        "submodule-function-replaced",
        "warnings-as-errors",
        "numpy-raises",
        "profile-hook",
        "rlimit-soft",
        "rlimit-hard",
        "builtin-replaced",
        "audit-hook-added",
        "method-replaced",
    ],
)
def test_state_changed_by_one_question_does_not_leak_into_the_next(engine, leak, task, answer):
    meddled = engine.grade(Task("shape", leak + "\nout = jnp.zeros(1)"), "(1,)")
    assert meddled.status in ("graded", "question-error"), meddled.error  # never an internal error
    verdict = engine.grade(task, answer)
    assert (verdict.status, verdict.correct) == ("graded", True), (verdict.error, verdict.difference)
    assert_grading_is_right(engine)


# --- memory and disk ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        # a shared anonymous mapping: not counted by RLIMIT_DATA
        "import mmap\nm = mmap.mmap(-1, 1536 * 2**20)\nchunk = b'1' * 2**20\n"
        "for _ in range(1536):\n    m.write(chunk)",
        # shared memory held open, never mapped: in no rlimit at all
        "import os\nchunk = b'1' * 2**20\nfds = [os.memfd_create(f'm{i}') for i in range(12)]\n"
        "for fd in fds:\n    for _ in range(63):\n        os.write(fd, chunk)",
    ],
    ids=["shared-mmap", "memfd"],
)
def test_shared_memory_counts_against_the_memory_cap(small_engine, code):
    start = time.monotonic()
    verdict = small_engine.grade(
        Task("shape", code + "\nimport time\ntime.sleep(20)\nout = jnp.ones(1)", timeout=30), "(1,)"
    )
    assert verdict.status == "out-of-memory", verdict.error
    assert "out of memory" in verdict.error and "0.5 GiB" in verdict.error
    assert time.monotonic() - start < 15
    assert_grading_is_right(small_engine)


@needs_landlock
def test_dev_shm_is_not_writable(engine):
    exploration = run(engine, "open('/dev/shm/jaxquiz-probe', 'wb').write(b'1' * 2**20)")
    assert "PermissionError" in (exploration.outcome.exception or "")


def test_output_spooled_to_disk_stops_growing(engine):
    exploration = run(
        engine, "import os\nchunk = b'x' * 2**20\nfor _ in range(1024):\n    os.write(1, chunk)"
    )
    note = exploration.outcome.output.rsplit("[output cut: ", 1)[1]
    written = int(note.split(" bytes")[0].replace(",", ""))
    assert written <= 64 * 2**20
    assert "File too large" in (exploration.outcome.error or "")


# --- smaller holes ------------------------------------------------------------------------------


def test_an_exception_whose_str_raises_is_reported_not_a_worker_traceback(engine):
    code = "class Odd(Exception):\n    def __str__(self):\n        raise RuntimeError('no')\nraise Odd()"
    verdict = engine.grade(Task("raises", code, answer=None), "Odd")
    assert (verdict.status, verdict.correct) == ("graded", True)
    assert "cannot be shown" in verdict.truth.error
    learner = engine.grade(
        Task("value", "out = 1"),
        "(_ for _ in ()).throw(type('Odd', (Exception,), {'__str__': lambda s: 1 / 0})())",
    )
    assert learner.status == "unreadable"
    assert "cannot be shown" in learner.error


ODD = (
    "class Odd(Exception):\n    def __str__(self):\n        raise Odd()\n"
    "class Opaque:\n    def __repr__(self):\n        raise Odd()\n"
)


@pytest.mark.parametrize(
    ("code", "words"),
    [("raise SystemExit(Opaque())", "the code called exit(<Opaque: repr failed"), ("out = Opaque()", None)],
    ids=["exit-with-an-opaque-code", "opaque-result"],
)
def test_values_whose_repr_raises_are_described(engine, code, words):
    prepared = engine.prepare(
        Task("raises" if words else "shape", ODD + code, answer=None if words else "out")
    )
    outcome = prepared.outcome
    assert outcome.status == "ok"
    assert words is None or outcome.error.startswith(words)
    assert words is not None or "repr failed" in outcome.preview


def test_a_try_it_run_that_loops_can_be_stopped_and_never_delays_grading(engine):
    import threading

    engine.warm_explorer()
    engine.explore("x = 1")  # warm
    result = {}
    looping = threading.Thread(
        target=lambda: result.update(x=engine.explore("while True:\n    pass", timeout=60))
    )
    looping.start()
    time.sleep(0.5)
    start = time.monotonic()
    assert_grading_is_right(engine)  # while the try-it run loops
    assert time.monotonic() - start < 5
    assert engine.stop_explore()
    looping.join(timeout=10)
    assert not looping.is_alive()
    assert result["x"].outcome.error.startswith("stopped")
    assert engine.explore("y = jnp.ones(2)").bindings[0].shape == (2,)
