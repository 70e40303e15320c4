"""The tripwires that spare the deep check its full comparison: dicts' version tags and the audit
hook on function writes, and the deep check finding the same changes with the tags as without.

test_hostile.py drives them through the real worker; these pin each one down on its own."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import types

import pytest

from jaxquiz.engine.worker.tripwires import DictVersions

TAGGED = sys.implementation.name == "cpython" and sys.version_info < (3, 14)


def run_python(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.skipif(not TAGGED, reason="the version tag is CPython's, up to 3.13")
def test_the_tags_are_read_on_this_python():
    assert DictVersions.readable()


@pytest.mark.skipif(not TAGGED, reason="the version tag is CPython's, up to 3.13")
@pytest.mark.parametrize(
    "write",
    [
        lambda module, klass: setattr(module, "new", 1),
        lambda module, klass: setattr(module, "value", 2),
        lambda module, klass: delattr(module, "value"),
        lambda module, klass: vars(module).update(value=3),
        lambda module, klass: vars(module).pop("value"),
        lambda module, klass: vars(module).setdefault("other", 4),
        lambda module, klass: setattr(klass, "method", lambda self: 0),
        lambda module, klass: delattr(klass, "method"),
    ],
    ids=[
        "new-attribute",
        "replaced",
        "deleted",
        "dict-update",
        "dict-pop",
        "dict-setdefault",
        "class-setattr",
        "class-delattr",
    ],
)
def test_every_kind_of_write_to_a_module_or_class_changes_its_tag(write):
    module = types.ModuleType("guarded")
    module.value = 1
    klass = type("Guarded", (), {"method": lambda self: 1})
    # the dict behind the class's mappingproxy, as the deep check reads it
    class_dict = next(d for d in __import__("gc").get_referents(vars(klass)) if isinstance(d, dict))
    versions = DictVersions([vars(module), class_dict])
    assert versions.unchanged()
    write(module, klass)
    assert not versions.unchanged()


@pytest.mark.skipif(not TAGGED, reason="the version tag is CPython's, up to 3.13")
def test_reading_writing_the_same_object_and_other_dicts_writes_leave_the_tags_alone():
    module = types.ModuleType("guarded")
    module.value = [1]
    versions = DictVersions([vars(module)])
    _ = module.value, getattr(module, "missing", None), dict(vars(module)), list(vars(module).items())
    module.value = module.value  # nothing changed: CPython does not count it
    module.value.append(2)  # the list changes; the module's namespace does not
    other = types.ModuleType("other")
    other.value = 2
    assert versions.unchanged()


def test_function_writes_are_noted_once_the_hook_is_in_and_no_other_hook_gets_in():
    out = run_python(
        """
        from jaxquiz.engine.worker import tripwires

        def f(x=1, *, y=2):
            return x
        def g():
            return 0

        # before the hook: every look says "written", nothing was seen
        print(tripwires.functions_written(), tripwires.functions_written())
        tripwires.watch_function_writes()
        tripwires.watch_function_writes()  # once per process
        print(tripwires.functions_written(), tripwires.functions_written())
        _ = f.__code__, f.__defaults__, f.__kwdefaults__, f(3)
        print(tripwires.functions_written())
        for write in (
            lambda: setattr(f, "__code__", g.__code__),
            lambda: setattr(f, "__defaults__", (5,)),
            lambda: setattr(f, "__kwdefaults__", {"y": 5}),
            lambda: delattr(f, "__defaults__"),
            lambda: setattr(f, "__kwdefaults__", None),
        ):
            write()
            print(tripwires.functions_written(), tripwires.functions_written())
        # no hook after it: one of the code's own would outlive its run
        import sys
        heard = []
        sys.addaudithook(lambda event, args: heard.append(event))
        sys.audit("jaxquiz.test")
        print(heard)
        """
    )
    assert out.split("\n")[:-1] == [
        "True True",
        "True False",
        "False",
        *["True False"] * 5,
        "[]",
    ]


def test_the_deep_check_finds_the_same_changes_with_the_tags_as_without():
    # Question code's kinds of change, each put back and named by the deep check, once reading the
    # tags and once comparing every entry (as on a Python without them).
    out = run_python(
        """
        import gc
        import jax.numpy as jnp
        import numpy as np
        from jaxquiz.engine.worker import fingerprint, tripwires

        changes = [
            "jnp.linalg.length = jnp.linalg.norm; del jnp.linalg.norm",
            "np.pi = 3",
            "jnp.linspace.__defaults__ = (7, *jnp.linspace.__defaults__[1:])",
            "jnp.ones.__code__ = (lambda *a, **k: 0).__code__",
            "gc.get_referents(vars(jnp.ndarray))",  # only read
            "x = jnp.ones(3).sum()",
        ]
        for tags in (True, False):
            tripwires._readable = None if tags else False  # None: read them where they are
            baseline = fingerprint.DeepBaseline.take()
            baseline.check()
            for change in changes:
                exec(change)
                print(tags, sorted(baseline.check()), baseline.check())
        print(jnp.linalg.norm(jnp.array([3.0, 4.0])), hasattr(jnp.linalg, "length"), np.pi > 3.1)
        """
    )
    lines = out.split("\n")
    with_tags, without = lines[:6], lines[6:12]
    assert [line.partition(" ")[2] for line in with_tags] == [line.partition(" ")[2] for line in without]
    assert with_tags == [
        "True ['jax.numpy.linalg'] []",
        "True ['numpy'] []",
        "True ['jax.numpy.linspace'] []",
        "True ['jax.numpy.ones'] []",
        "True [] []",
        "True [] []",
    ]
    assert lines[12] == "5.0 False True"


def test_a_finalizer_made_keeps_the_deep_check_quick_and_the_finalizer_class_guarded():
    # jax and equinox make finalizers as they run; each notes that on `weakref.finalize` itself.
    out = run_python(
        """
        import weakref
        import jax.numpy as jnp
        from jaxquiz.engine.worker import fingerprint

        baseline = fingerprint.DeepBaseline.take()
        baseline.check()
        class Thing:
            pass
        thing = Thing()
        weakref.finalize(thing, print, "finalized")
        print(baseline._unchanged(), baseline.check())
        weakref.finalize._shutdown = True
        print(baseline._unchanged(), baseline.check(), weakref.finalize._shutdown)
        weakref.finalize.__getattribute__ = lambda self, name: 0
        print(baseline.check(), "__getattribute__" in vars(weakref.finalize))
        del thing
        """
    )
    assert out.split("\n")[:-1] == [
        "True []",
        "False ['weakref.finalize'] False",
        "['weakref.finalize'] False",
        "finalized",
    ]
