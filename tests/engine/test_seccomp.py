"""The seccomp filter of a worker, in a process of its own: what it refuses and what it leaves.

The filter binds its process for good, so each case runs in a fresh Python that installs it and
says what happened. Question code meeting it in the real worker: tests/engine/test_hostile.py.
"""

from __future__ import annotations

import json
import platform
import signal
import subprocess
import sys
import textwrap

import pytest

from jaxquiz.engine import seccomp

pytestmark = pytest.mark.skipif(not seccomp.available(), reason="seccomp filters are Linux-only")


def filtered(code: str) -> subprocess.CompletedProcess[str]:
    """Run `code` after installing the filter; its last line of output is JSON."""
    script = "import json\nfrom jaxquiz.engine import seccomp\nassert seccomp.restrict()\n"
    return subprocess.run(
        [sys.executable, "-c", script + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def outcome(code: str) -> dict[str, str]:
    result = filtered(code)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_no_socket_of_any_family_can_be_made_and_a_socket_pair_still_works():
    seen = outcome(
        """
        import socket
        seen = {}
        for name in ("AF_INET", "AF_INET6", "AF_UNIX", "AF_NETLINK"):
            kind = socket.SOCK_RAW if name == "AF_NETLINK" else socket.SOCK_DGRAM
            try:
                socket.socket(getattr(socket, name), kind)
                seen[name] = "made"
            except OSError as error:
                seen[name] = type(error).__name__
        left, right = socket.socketpair()
        left.send(b"x")
        seen["pair"] = right.recv(1).decode()
        print(json.dumps(seen))
        """
    )
    assert seen == {
        "AF_INET": "PermissionError",
        "AF_INET6": "PermissionError",
        "AF_UNIX": "PermissionError",
        "AF_NETLINK": "PermissionError",
        "pair": "x",
    }


def test_nothing_can_be_typed_into_a_terminal_and_other_terminal_ioctls_work():
    seen = outcome(
        """
        import fcntl, pty, termios
        _, terminal = pty.openpty()
        seen = {"size": len(fcntl.ioctl(terminal, termios.TIOCGWINSZ, bytes(8)))}
        for name, request, argument in (("TIOCSTI", termios.TIOCSTI, b"x"), ("TIOCLINUX", 0x541C, b"\\0")):
            try:
                fcntl.ioctl(terminal, request, argument)
                seen[name] = "typed"
            except OSError as error:
                seen[name] = f"{type(error).__name__} {error.errno}"
        print(json.dumps(seen))
        """
    )
    assert seen == {"size": 8, "TIOCSTI": "PermissionError 1", "TIOCLINUX": "PermissionError 1"}


def test_io_uring_is_refused():
    seen = outcome(
        """
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        params = ctypes.create_string_buffer(120)
        print(json.dumps({"fd": libc.syscall(425, 4, params), "errno": ctypes.get_errno()}))
        """
    )
    assert seen == {"fd": -1, "errno": 13}


@pytest.mark.skipif(platform.machine() != "x86_64", reason="the x32 table is x86-64's")
def test_a_call_through_the_x32_table_kills_the_process():
    result = filtered(
        """
        import ctypes
        ctypes.CDLL(None).syscall(0x40000000 | 41, 2, 2, 0)  # socket(), by its x32 number
        print("still here")
        """
    )
    assert result.returncode == -signal.SIGSYS
    assert "still here" not in result.stdout


def test_version_says_what_the_filter_holds_and_where_it_is_missing(monkeypatch):
    assert seccomp.describe() == "seccomp (no sockets, no typing into terminals)"
    seccomp.available.cache_clear()
    monkeypatch.setattr(platform, "machine", lambda: "riscv64")
    try:
        assert not seccomp.available()
        assert seccomp.describe().startswith("no seccomp (Linux on x86-64 or arm64 only)")
        assert seccomp.restrict() is False
    finally:
        seccomp.available.cache_clear()
