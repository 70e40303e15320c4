"""Cold start of the app: from launching Python to an interactive home screen, printed as a table.

Each run is a fresh interpreter (`python benchmarks/startup.py --child`) that builds the app the way
`jaxquiz` does (real engine, real store in a data dir, the bundled decks listed from the deck cache's
outlines and loaded in the background) and drives it headless. Times are measured from just before
the process is spawned.

Every run of the app is paired with a fresh interpreter that only imports `textual.app`, the floor
of any Textual app, measured the same way and back to back, so the target (the deck list on screen
within 2 x `import textual.app` + 100 ms) is read off the same busy or idle machine; the same
comparison in CPU time (of all the app's threads; the JAX worker is another process) is disturbed
less by other work on a busy machine. "Decks listed" is the frame after the deck list has its rows
(from the outlines while the deck cache holds every deck); "decks loaded" is when the validated
decks take their place, which a quiz needs. The runs share one data dir, like the starts of one
user; a first, untimed start fills it (the parsed-deck cache) and its deck list time is printed on
its own.

    .venv/bin/python benchmarks/startup.py            # 5 runs
    .venv/bin/python benchmarks/startup.py --runs 10
"""

from __future__ import annotations

import time

SPAWNED_AT = time.time()  # first thing in the child: how long the interpreter took to get here
SPAWNED_CPU = time.process_time()

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
    ("decks", "decks listed (on screen)"),
    ("loaded", "decks loaded (background)"),
    ("engine", "JAX worker ready (background)"),
]


def child(parent_start: float) -> None:
    """One cold start; prints the moments (seconds since the parent spawned us) as JSON."""
    import asyncio

    marks = {"interpreter": SPAWNED_AT - parent_start}
    from jaxquiz.tui import app_on_library

    marks["imported"] = time.time() - parent_start
    marks["cpu-imported"] = time.process_time()

    from jaxquiz import paths
    from jaxquiz.engine import Engine
    from jaxquiz.store import Store

    async def main() -> None:
        store = Store.open(paths.database_path())
        engine = Engine()
        # As `jaxquiz` opens it: listed from the deck cache's outlines, then the library (discovery,
        # trust, the parsed-deck cache) loaded in the background.
        app = app_on_library(engine, store)

        def listed() -> bool:
            home = app.screen_stack[0] if app.screen_stack else None
            return bool(getattr(home, "rows", None))

        async def until(key: str, done, painted: bool = False) -> None:
            while not done():
                await asyncio.sleep(0.002)
            if painted:  # on screen: the next frame after the widgets have it
                shown = asyncio.Event()
                app.call_after_refresh(shown.set)
                await shown.wait()
            marks[key] = time.time() - parent_start
            marks[f"cpu-{key}"] = time.process_time()  # every thread of this process

        async with app.run_test(size=(100, 30)):
            # The deck list and the worker are watched from now on, whatever the keys do.
            watchers = [
                asyncio.create_task(until("decks", listed, painted=True)),
                asyncio.create_task(until("loaded", lambda: app.decks is not None)),
                asyncio.create_task(until("engine", lambda: app.engine_state != "starting")),
            ]
            # run_test returns once the home screen is mounted; mark its first paint
            painted = asyncio.Event()
            app.call_after_refresh(painted.set)
            await painted.wait()
            marks["home"] = time.time() - parent_start
            marks["cpu-home"] = time.process_time()
            app.simulate_key("question_mark")  # a key, as typed: opens the help screen
            # By name: importing the help screen here would load it before the app needs it.
            await until("interactive", lambda: type(app.screen).__name__ == "HelpScreen")
            await asyncio.gather(*watchers)
        store.close()

    asyncio.run(main())
    print(json.dumps(marks))


def textual_child(parent_start: float) -> None:
    """The floor: a fresh interpreter that imports textual.app and nothing else."""
    marks = {"interpreter": SPAWNED_AT - parent_start}
    import textual.app  # noqa: F401

    marks["textual"] = time.time() - parent_start
    marks["cpu-textual"] = time.process_time() - SPAWNED_CPU
    print(json.dumps(marks))


def spawn(flag: str, data: str) -> dict[str, float]:
    env = dict(os.environ, JAXQUIZ_DATA_DIR=data, PYTHONPATH=str(ROOT))
    env.pop("JAXQUIZ_CACHE_DIR", None)  # the deck cache of that data dir: cold, then warm
    start = time.time()
    done = subprocess.run(
        [sys.executable, __file__, flag, repr(start)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    if done.returncode != 0:
        sys.exit(f"a run failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def parent(runs: int) -> None:
    results: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as data:
        first = spawn("--child", data)
        for _ in range(runs):
            app = spawn("--child", data)
            floor = spawn("--child-textual", data)
            imported = floor["textual"] - floor["interpreter"]
            app["textual-alone"] = floor["textual"]
            app["textual-import"] = imported
            app["target"] = 2 * imported + 0.1
            # The same comparison in CPU time, which other processes on a busy machine disturb less
            # than wall time (the app's from the start of the interpreter, textual's import alone).
            app["cpu-textual-import"] = floor["cpu-textual"]
            app["cpu-target"] = 2 * floor["cpu-textual"] + 0.1
            results.append(app)

    cores = os.cpu_count()
    print(f"jaxquiz cold start: {runs} runs on {cores} cores, ms from spawning `python`")
    print()
    print(f"| {'moment':<40} | {'median':>7} | {'min':>7} | {'max':>7} |")
    print(f"|{'-' * 42}|{'-' * 9}|{'-' * 9}|{'-' * 9}|")
    rows = [
        *PHASES,
        ("textual-alone", "python + import textual.app alone"),
        ("textual-import", "import textual.app alone (duration)"),
        ("target", "target: 2 x import textual.app + 100"),
        ("cpu-decks", "CPU: decks listed"),
        ("cpu-textual-import", "CPU: import textual.app alone"),
        ("cpu-target", "CPU target: 2 x that + 100"),
    ]
    for key, label in rows:
        values = [r[key] * 1000 for r in results]
        print(
            f"| {label:<40} | {statistics.median(values):>7.0f} | {min(values):>7.0f} | {max(values):>7.0f} |"
        )
    met = sum(r["decks"] <= r["target"] for r in results)
    met_cpu = sum(r["cpu-decks"] <= r["cpu-target"] for r in results)
    print()
    print(f"decks listed within the target in {met} of {runs} runs (each against its own textual run),")
    print(f"within the CPU target in {met_cpu} of {runs}")
    print(f"first start, empty data dir: decks listed at {first['decks'] * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", type=float, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--child-textual", type=float, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child)
    elif args.child_textual is not None:
        textual_child(args.child_textual)
    else:
        parent(args.runs)


if __name__ == "__main__":
    main()
