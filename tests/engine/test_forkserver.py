"""The fork server: workers forked from one warm image are as separate as processes started anew."""

from __future__ import annotations

import ast
import os
import signal
import sys

import pytest

from jaxquiz.engine import Engine, Task, forkserver
from jaxquiz.engine.process import WorkerProcess, worker_environment

# A code's view of its own process, read by the code itself.
WHO_AM_I = """\
import os, sys
out = (os.getcwd(), os.environ["TMPDIR"], sys.argv[1:], float(np.random.rand()))
"""


def stat_fields(pid: int) -> list[str]:
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()  # after the command's name: state, ppid, ...


def socket_fds(pid: int) -> list[str]:
    links = (os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd"))
    return [link for link in links if link.startswith("socket:")]


def describe_itself(engine: Engine) -> tuple[str, str, list[str], float]:
    outcome = engine.prepare(Task("value", WHO_AM_I)).outcome
    assert outcome.status == "ok", outcome
    assert outcome.preview is not None
    return ast.literal_eval(outcome.preview)  # the repr of a tuple of plain values


@pytest.fixture
def new_server(monkeypatch):
    """A server of this test's own; the process's shared one is put back afterwards."""
    monkeypatch.setattr(forkserver, "_server", None)
    yield
    forkserver.stop()


@pytest.mark.skipif(sys.platform != "linux", reason="workers are forked where they can be adopted")
def test_a_forked_worker_is_this_process_s_child_alone_in_its_session_folder_and_environment(engine):
    ready = engine.wait_ready()
    _state, parent, group, session = stat_fields(ready.pid)[:4]
    assert int(parent) == os.getpid()  # adopted: waited for and killed here
    assert int(group) == int(session) == ready.pid
    assert len(socket_fds(ready.pid)) == 1  # its own; never the fork server's
    folder, tmpdir, argv, _ = describe_itself(engine)
    assert os.path.basename(tmpdir).startswith("jaxquiz-worker-")
    assert os.path.dirname(folder) == tmpdir  # each run has a folder in the worker's
    assert argv == [str(engine.memory_limit), "0"]


@pytest.mark.skipif(sys.platform != "linux", reason="workers are forked where they can be adopted")
def test_each_worker_has_its_own_folder_and_numpy_seed(engine):
    first = describe_itself(engine)
    engine.default._replace()  # the spare, forked from the same image, takes over
    second = describe_itself(engine)
    assert first[1] != second[1]
    assert first[3] != second[3]


@pytest.mark.skipif(sys.platform != "linux", reason="workers are forked where they can be adopted")
def test_the_server_is_one_thread_holding_only_its_socket(new_server):
    with Engine(spare=False) as engine:
        engine.wait_ready()  # answered: the server has closed the files it passed on
    server = forkserver.shared(worker_environment())
    assert server is not None
    pid = server.process.pid
    assert len(os.listdir(f"/proc/{pid}/task")) == 1  # a fork copies no other thread's locks
    assert sorted(int(fd) for fd in os.listdir(f"/proc/{pid}/fd"))[:3] == [0, 1, 2]
    files = {fd: os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
    assert len(files) == 4 and len(socket_fds(pid)) == 1, sorted(files.items())


@pytest.mark.skipif(sys.platform != "linux", reason="workers are forked where they can be adopted")
def test_a_server_that_died_is_started_again():
    # This test process's server: the next worker any test asks for comes from its successor.
    with Engine(spare=False) as engine:
        engine.wait_ready()
        server = forkserver.shared(worker_environment())
        assert server is not None
        os.kill(server.process.pid, signal.SIGKILL)
        server.process.wait()
        engine.default._replace()  # a new worker: from a new server
        assert engine.grade(Task("shape", "out = jnp.ones((2, 3))"), "(2, 3)").correct
        assert forkserver.shared(worker_environment()) is not server


@pytest.mark.skipif(sys.platform != "linux", reason="workers are forked where they can be adopted")
def test_what_imports_read_changed_starts_another_server(new_server, monkeypatch):
    monkeypatch.setenv("JAX_ENABLE_X64", "1")  # read once, as jax is imported
    with Engine(spare=False) as engine:
        assert engine.grade(Task("dtype", "out = jnp.arange(3.0)"), "float64").correct
    monkeypatch.delenv("JAX_ENABLE_X64")
    with Engine(spare=False) as engine:
        assert engine.grade(Task("dtype", "out = jnp.arange(3.0)"), "float32").correct


@pytest.mark.skipif(sys.platform != "linux", reason="workers are forked where they can be adopted")
def test_a_server_that_cannot_start_says_why_the_worker_did_not(new_server, monkeypatch):
    monkeypatch.setattr(
        forkserver, "SERVER_COMMAND", (sys.executable, "-c", "raise SystemExit('no jax here')")
    )
    with Engine(spare=False) as engine, pytest.raises(Exception, match="the fork server exited: no jax here"):
        engine.wait_ready(timeout=60)


@pytest.mark.skipif(sys.platform != "linux", reason="workers are forked where they can be adopted")
def test_a_worker_dropped_before_it_was_forked_is_gone_and_reaped_once_it_is(new_server):
    dropped = WorkerProcess(memory_limit=0)
    assert isinstance(dropped.process, forkserver.Spawned)
    assert not dropped.process.known()  # the new server is still importing jax
    dropped.kill()
    kept = WorkerProcess(memory_limit=0)
    try:
        kept.wait_ready(timeout=120)  # its answer comes after the dropped worker's
        assert dropped.process.known()
        # Killed, unless it saw its socket closed and left first: gone, and reaped either way.
        assert dropped.process.wait(timeout=10) in (-signal.SIGKILL, 1)
        with pytest.raises(ProcessLookupError):
            os.kill(dropped.process.pid, 0)
    finally:
        kept.kill()


class NoServer:
    """Stands in for the server a Spawned asks for its pid: the answer is given by hand here."""

    def resolve(self, child: object, timeout: float | None) -> None:
        pass


@pytest.mark.parametrize(
    "reply",
    [b"not json", b"[1, 2]", b'{"pid": "123"}', b'{"pid": true}', b'{"pid": 1}', b'{"pid": -5}', b"{}"],
)
def test_an_answer_from_the_server_that_is_not_a_pid_is_a_failed_start_not_a_process(reply):
    child = forkserver.Spawned(NoServer())  # type: ignore[arg-type]
    forkserver._answer(child, reply)
    assert child.failure is not None and child.returncode == 1
    assert child.pid == -1 and child.poll() == 1  # nothing to wait for, nothing to kill


def test_the_server_s_error_is_the_failure_in_words():
    child = forkserver.Spawned(NoServer())  # type: ignore[arg-type]
    forkserver._answer(child, b'{"error": "OSError: the worker could not be forked"}')
    assert (
        child.failure == "the fork server could not fork a worker (OSError: the worker could not be forked)"
    )
