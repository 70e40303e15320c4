"""Fixtures shared by every test: a private data dir, and one warm engine per test process."""

from __future__ import annotations

import gc
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest


def _write_bytecode() -> None:
    """Let this run's Python processes share what they compile, also where the environment says
    not to write bytecode (PYTHONDONTWRITEBYTECODE, set on this project's development machines).

    A run starts some fifty Python processes that import jaxquiz (test processes, fork servers,
    the CLI, the app, import probes), and each compiled from source again every module of jaxquiz
    and of the tests that it imported: from a fresh checkout, the suite took 1 to 9 s longer on
    2 cores (3 pairs of runs). The bytecode goes where Python puts it, in `__pycache__` folders
    that git ignores. (A separate folder, PYTHONPYCACHEPREFIX, would not do: Python then looks
    there for every module's bytecode, and each run compiled jax, textual and the standard
    library from source too: 12 s slower.) Set here, before jaxquiz is imported, in the process
    that starts the test processes."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sys.dont_write_bytecode = False


_write_bytecode()

from jaxquiz import paths  # noqa: E402 (once bytecode may be written)
from jaxquiz.engine import Engine  # noqa: E402

# Shrinking a puzzle's failure stops after 0.3 s of wall time: on a busy machine, compiling the
# smaller inputs takes longer and the verdict's inputs would depend on the load. The workers of the
# tests (which inherit this environment) shrink until their tries run out.
os.environ["JAXQUIZ_SHRINK_BUDGET_S"] = "60"

# Each test process holds warm JAX workers and its own fork server: past a few test processes,
# more only add workers, memory and jax imports.
MAX_TEST_PROCESSES = 4


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """`-n auto` (pyproject's addopts): two test processes per core, at most
    MAX_TEST_PROCESSES. App tests spend half their time idle (Textual's pilot waits for the app
    to settle after each key) and engine tests wait on workers: on 2 cores, 4 test processes ran
    the suite in 68.5 s where 3 took 73 s (5 took 69 s, 6 took 70 s)."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # the user's number, read by xdist itself
    return max(1, min(MAX_TEST_PROCESSES, 2 * len(os.sched_getaffinity(0))))


def pytest_collection_finish(session: pytest.Session) -> None:
    """Keep the garbage collector's full passes off what was loaded before the tests run.

    Every app test leaves tens of thousands of objects in reference cycles (widgets and their
    parents, message pumps), so full collections come about once a test, and each walked every
    module, test and deck model loaded at start-up as well: a fifth of an app test's CPU time.
    Those are never garbage; frozen, a full pass walks only what the tests made since."""
    gc.collect()
    gc.freeze()


TESTS = Path(__file__).parent
# Longest first, so that the run does not end on one test process finishing long tests while the
# others wait: the app tests (a second or more each, waiting on the app and on a worker), then
# the rest, and the folders of quick unit tests last, to fill in as the test processes finish.
LONGEST_FIRST = [TESTS / "tui"]
QUICKEST_LAST = [TESTS / "decks", TESTS / "study"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Hand the tests out longest first: xdist hands them out in this order (after the tests of
    each `xdist_group`, which go first). Each module's tests stay together and in their order."""

    def batch(item: pytest.Item) -> int:
        if any(item.path.is_relative_to(folder) for folder in LONGEST_FIRST):
            return 0
        return 2 if any(item.path.is_relative_to(folder) for folder in QUICKEST_LAST) else 1

    items.sort(key=batch)


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Progress, trust records and user decks of the test only, never the real user's."""
    folder = tmp_path / "data"
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(folder))
    return folder


@pytest.fixture(scope="session")
def engine(shared_compile_cache: Path) -> Iterator[Engine]:
    """The real engine of this test process, shared by every test and module that grades.

    Importing jax is the slow part of the suite, so a worker is started once per test process,
    not once per test. Sharing is honest because it is what the app does: the worker's guard
    restores global state after every run, and a worker that timed out, crashed, ran out of
    memory or can no longer be believed is replaced by the pool (hostile and containment tests
    do all of these to it, then check that the next question is graded right). The spare makes
    such a replacement instant, as in the app. A test that needs an engine of another kind (a
    memory limit, a worker held at its start, several workers) starts its own."""
    with Engine(compile_cache=shared_compile_cache) as warm:
        warm.wait_ready()
        yield warm


@pytest.fixture(scope="session", autouse=True)
def shared_deck_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The cache of parsed decks, shared by every test of this run, as the app keeps one across
    its starts: the bundled decks are parsed once per run, not once in each of some thirty tests
    that list them (150 ms of CPU each time). The data dir of each test stays its own. Tests of what
    a first start does, or that write into the cache, take a `private_deck_cache`."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # this run's folder, above each test process's own
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(paths.CACHE_DIR_ENV, str(base / "cache"))
        yield base / "cache"


@pytest.fixture
def private_deck_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache of this test's own, for a first start or for a test that writes into it."""
    folder = tmp_path / "caches"
    monkeypatch.setenv(paths.CACHE_DIR_ENV, str(folder))
    return folder


# Past this size, the compile cache kept between runs starts over (new draws of parametrised
# questions add entries; a jax upgrade leaves the old version's behind).
KEPT_COMPILE_CACHE_LIMIT = 64 * 2**20


def _kept_compile_cache(config: pytest.Config) -> Path | None:
    """Where XLA's compiled programs are kept from one run to the next: pytest's cache folder
    (`.pytest_cache`); None when the cache plugin is off (`-p no:cacheprovider`)."""
    cache = getattr(config, "cache", None)
    return None if cache is None else Path(cache.mkdir("xla-compile-cache"))


def pytest_configure(config: pytest.Config) -> None:
    """Start the kept compile cache over once it grows past its limit, before any test process
    or worker uses it (in the process that starts the test processes)."""
    folder = _kept_compile_cache(config)
    if folder is None or os.environ.get("PYTEST_XDIST_WORKER"):
        return
    if sum(entry.stat().st_size for entry in folder.rglob("*") if entry.is_file()) > KEPT_COMPILE_CACHE_LIMIT:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)


@pytest.fixture(scope="session", autouse=True)
def shared_compile_cache(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """XLA's compile cache on disk, as the app keeps one, shared by every engine of the test
    processes and by the apps and commands they start (named the way jax names it, so the data
    dir of each test does not move it): a worker does not compile again what another compiled,
    which is most of the CPU time a new worker spends.

    It is kept between runs, as ruff's and mypy's caches are: compiling the tests' programs
    took 12 s of the suite's CPU time on 2 cores, about 6 s of its wall time, in every run. An
    entry is found only for the same program, jax version, device and flags, so a kept entry is
    what this run would have compiled. Without pytest's cache folder, the run's own folder."""
    folder = _kept_compile_cache(request.config)
    if folder is None:
        base = tmp_path_factory.getbasetemp()
        if os.environ.get("PYTEST_XDIST_WORKER"):
            base = base.parent  # this run's folder, above each test process's own
        folder = base / "xla-cache"
    before = os.environ.get(paths.COMPILE_CACHE_ENV)
    os.environ[paths.COMPILE_CACHE_ENV] = str(folder)
    yield folder
    if before is None:
        os.environ.pop(paths.COMPILE_CACHE_ENV)
    else:
        os.environ[paths.COMPILE_CACHE_ENV] = before
