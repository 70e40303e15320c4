"""Cold start of the app: from launching Python to an interactive home screen, printed as a table.

Each run is a fresh interpreter (`python benchmarks/startup.py --child`) that builds the app the way
`jaxquiz` does (real engine, real store in a temporary data dir, the bundled decks loaded in the
background) and drives it headless. Times are measured from just before the process is spawned.

    .venv/bin/python benchmarks/startup.py            # 5 runs
    .venv/bin/python benchmarks/startup.py --runs 10
"""

from __future__ import annotations

import time

SPAWNED_AT = time.time()  # first thing in the child: how long the interpreter took to get here

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

PHASES = [
    ("interpreter", "python started"),
    ("imported", "jaxquiz.tui imported"),
    ("home", "home screen painted"),
    ("interactive", "a key handled (? opens help)"),
    ("decks", "decks listed (background)"),
    ("engine", "JAX worker ready (background)"),
]


def child(parent_start: float) -> None:
    """One cold start; prints the moments (seconds since the parent spawned us) as JSON."""
    import asyncio

    marks = {"interpreter": SPAWNED_AT - parent_start}
    from jaxquiz.tui import make_app, utc_now

    marks["imported"] = time.time() - parent_start

    from jaxquiz import paths
    from jaxquiz.decks import discover
    from jaxquiz.engine import Engine
    from jaxquiz.store import Store
    from jaxquiz.tui.screens.help import HelpScreen

    async def main() -> None:
        store = Store.open(paths.database_path())
        engine = Engine()
        app = make_app(engine, store, utc_now, discover, on_exit=engine.close)
        async with app.run_test(size=(100, 30)):
            # run_test returns once the home screen is mounted; mark its first paint
            painted = asyncio.Event()
            app.call_after_refresh(painted.set)
            await painted.wait()
            marks["home"] = time.time() - parent_start
            app.simulate_key("question_mark")  # a key, as typed: opens the help screen
            while not isinstance(app.screen, HelpScreen):
                await asyncio.sleep(0.002)
            marks["interactive"] = time.time() - parent_start
            while app.decks is None:
                await asyncio.sleep(0.005)
            marks["decks"] = time.time() - parent_start
            while app.engine_state == "starting":
                await asyncio.sleep(0.005)
            marks["engine"] = time.time() - parent_start
        store.close()

    asyncio.run(main())
    print(json.dumps(marks))


def parent(runs: int) -> None:
    results: list[dict[str, float]] = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as data:
            env = dict(os.environ, JAXQUIZ_DATA_DIR=data, PYTHONPATH=str(ROOT))
            start = time.time()
            done = subprocess.run(
                [sys.executable, __file__, "--child", repr(start)],
                capture_output=True,
                text=True,
                env=env,
                cwd=ROOT,
                timeout=300,
            )
        if done.returncode != 0:
            sys.exit(f"a run failed:\n{done.stderr}")
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))

    cores = os.cpu_count()
    print(f"jaxquiz cold start: {runs} runs on {cores} cores, ms from spawning `python`")
    print()
    print(f"| {'moment':<32} | {'median':>7} | {'min':>7} | {'max':>7} |")
    print(f"|{'-' * 34}|{'-' * 9}|{'-' * 9}|{'-' * 9}|")
    for key, label in PHASES:
        values = [r[key] * 1000 for r in results]
        print(
            f"| {label:<32} | {statistics.median(values):>7.0f} | {min(values):>7.0f} | {max(values):>7.0f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", type=float, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child)
    else:
        parent(args.runs)


if __name__ == "__main__":
    main()
