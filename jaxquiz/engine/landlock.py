"""Landlock, Linux's sandbox for unprivileged processes: what a worker may write, reach and signal.

A worker applies it to itself before any thread starts (a Landlock domain binds the calling
thread and what it starts later) and before any question code runs: files become read-only except
the folders it is given; TCP bind and connect are refused (ABI 4); signals to processes outside
the worker and its children, and connections to abstract Unix sockets outside it, are refused
(ABI 6). On another system or an older kernel nothing is applied, and `describe()` says so.
A few raw system calls through ctypes are all it takes; no package is needed.
"""

from __future__ import annotations

import ctypes
import os
import platform
import sys
from collections.abc import Iterable
from functools import cache

# linux/landlock.h
_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446  # the same on x86-64 and arm64
_CREATE_RULESET_VERSION = 1 << 0
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38

_WRITE_FILE = 1 << 1
_TRUNCATE = 1 << 14  # ABI 3
_REFER = 1 << 13  # ABI 2
# Every right that changes the filesystem (reading and executing stay free).
_CHANGES = (
    _WRITE_FILE
    | 1 << 4  # remove a directory
    | 1 << 5  # remove a file
    | 1 << 6  # make a character device
    | 1 << 7  # make a directory
    | 1 << 8  # make a regular file
    | 1 << 9  # make a Unix socket
    | 1 << 10  # make a fifo
    | 1 << 11  # make a block device
    | 1 << 12  # make a symbolic link
)
_NET_TCP = (1 << 0) | (1 << 1)  # bind, connect (ABI 4)
_SCOPE = (1 << 0) | (1 << 1)  # abstract Unix sockets, signals (ABI 6)

ABI_TCP = 4
ABI_SCOPE = 6
# Devices a program writes to as a matter of course; GPUs are opened read-write to be used.
DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")
_GPU_PREFIXES = ("nvidia", "dri")


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("fs", ctypes.c_uint64), ("net", ctypes.c_uint64), ("scoped", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


class LandlockError(OSError):
    """The kernel offers Landlock but refused the rules (it never should)."""


@cache
def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


@cache
def abi() -> int:
    """The Landlock ABI version the kernel offers; 0 when there is none."""
    if sys.platform != "linux" or platform.machine() not in ("x86_64", "aarch64"):
        return 0
    version = _libc().syscall(
        _CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(_CREATE_RULESET_VERSION)
    )
    return max(int(version), 0)


def describe() -> str:
    """What Landlock holds on this machine, for `jaxquiz --version`."""
    version = abi()
    if version == 0:
        return (
            "no Landlock (Linux 5.13 or later only): question code runs in a worker process "
            "that can read and write what you can, so trust only decks you have read"
        )
    held = ["files read-only outside each run's folder"]
    held.append("no TCP" if version >= ABI_TCP else "TCP open (Landlock ABI 4 needed)")
    held.append(
        "no signals outside the worker" if version >= ABI_SCOPE else "signals open (Landlock ABI 6 needed)"
    )
    return f"Landlock ABI {version} ({', '.join(held)})"


def _fs_rights(version: int) -> int:
    rights = _CHANGES
    if version >= 2:
        rights |= _REFER
    if version >= 3:
        rights |= _TRUNCATE
    return rights


def restrict(writable: Iterable[str]) -> int:
    """Confine this thread and everything it starts from now on; the ABI applied (0: none).

    `writable`: folders where files may be made, written and removed. Missing ones are skipped.
    """
    version = abi()
    if version == 0:
        return 0
    libc = _libc()
    fs = _fs_rights(version)
    attr = _RulesetAttr(fs, _NET_TCP if version >= ABI_TCP else 0, _SCOPE if version >= ABI_SCOPE else 0)
    size = 24 if version >= ABI_SCOPE else 16 if version >= ABI_TCP else 8
    ruleset = libc.syscall(_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if ruleset < 0:
        raise LandlockError(ctypes.get_errno(), "landlock_create_ruleset failed")
    try:
        for folder in writable:
            _allow(ruleset, folder, fs)
        for device in (*DEVICES, *_gpu_devices()):
            _allow(ruleset, device, _WRITE_FILE | (_TRUNCATE if version >= 3 else 0))
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise LandlockError(ctypes.get_errno(), "PR_SET_NO_NEW_PRIVS failed")
        if libc.syscall(_RESTRICT_SELF, ruleset, ctypes.c_uint32(0)) != 0:
            raise LandlockError(ctypes.get_errno(), "landlock_restrict_self failed")
    finally:
        os.close(ruleset)
    return version


def _allow(ruleset: int, path: str, rights: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return
    try:
        if not os.path.isdir(path):
            rights &= _WRITE_FILE | _TRUNCATE  # the only rights a file rule may hold
        rule = _PathBeneath(rights, fd)
        if (
            _libc().syscall(_ADD_RULE, ruleset, _RULE_PATH_BENEATH, ctypes.byref(rule), ctypes.c_uint32(0))
            != 0
        ):
            raise LandlockError(ctypes.get_errno(), f"landlock_add_rule failed for {path}")
    finally:
        os.close(fd)


def _gpu_devices() -> list[str]:
    try:
        names = os.listdir("/dev")
    except OSError:
        return []
    found: list[str] = []
    for name in names:
        if name.startswith(_GPU_PREFIXES):
            path = os.path.join("/dev", name)
            if os.path.isdir(path):
                found.extend(os.path.join(path, entry) for entry in _listdir(path))
            else:
                found.append(path)
    return found


def _listdir(path: str) -> list[str]:
    try:
        return os.listdir(path)
    except OSError:
        return []
