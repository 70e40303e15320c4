"""seccomp, Linux's filter on system calls: no new sockets in a worker, and no typing into terminals.

Landlock (`landlock.py`) confines files, TCP and signals, but has no rule for UDP (a question's
code could send what it read anywhere), for Unix sockets named by a path (a desktop's session bus
among them, which starts programs outside any sandbox) or for pushing input into a terminal. A
worker needs none of these: it answers over the socket it was handed at its start. So a worker,
after Landlock and before any thread starts, installs a filter that refuses

- `socket()`, of every family (`socketpair()`, which `multiprocessing` uses for its pipes, stays);
- io_uring, which could make the same calls without passing through the filter;
- the ioctls that type into a terminal (`TIOCSTI`) or into the console (`TIOCLINUX`),

and kills the process on a system call made through another table of the kernel (x86's 32-bit
entry, x32), where these calls have other numbers. Refused calls fail with a PermissionError, as
Landlock's do. Like Landlock it binds the process and everything it starts, and cannot be undone.
A few raw calls through ctypes are all it takes; no package is needed.
"""

from __future__ import annotations

import ctypes
import errno
import platform
import sys
from dataclasses import dataclass
from functools import cache

_PR_SET_NO_NEW_PRIVS = 38
_PR_GET_SECCOMP = 21
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2

# linux/seccomp.h: what the filter returns
_RET_KILL_PROCESS = 0x80000000
_RET_ERRNO = 0x00050000
_RET_ALLOW = 0x7FFF0000

# linux/filter.h: the few classic BPF instructions the filter needs
_LOAD_WORD = 0x20  # BPF_LD | BPF_W | BPF_ABS
_JUMP_IF_EQUAL = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
_JUMP_IF_AT_LEAST = 0x35  # BPF_JMP | BPF_JGE | BPF_K
_RETURN = 0x06  # BPF_RET | BPF_K

# struct seccomp_data: the call's number, its architecture, then its arguments (64 bits each;
# both architectures below are little-endian, so an argument's low half comes first)
_NUMBER_AT, _ARCH_AT, _ARGS_AT = 0, 4, 16

TIOCSTI, TIOCLINUX = 0x5412, 0x541C
_IO_URING = (425, 426, 427)  # setup, enter, register: the same on both architectures


@dataclass(frozen=True)
class _Table:
    """The numbers of one architecture's system calls, as the kernel reports them to the filter."""

    audit_arch: int
    socket: int
    ioctl: int
    # x86-64 also serves the x32 ABI's calls, with this bit set in their numbers
    other_abi_bit: int | None = None


_TABLES = {
    "x86_64": _Table(audit_arch=0xC000003E, socket=41, ioctl=16, other_abi_bit=0x40000000),
    "aarch64": _Table(audit_arch=0xC00000B7, socket=198, ioctl=29),
}


class _Instruction(ctypes.Structure):
    _fields_ = [
        ("code", ctypes.c_uint16),
        ("jump_if_true", ctypes.c_uint8),
        ("jump_if_false", ctypes.c_uint8),
        ("k", ctypes.c_uint32),
    ]


class _Program(ctypes.Structure):
    _fields_ = [("length", ctypes.c_ushort), ("instructions", ctypes.POINTER(_Instruction))]


class SeccompError(OSError):
    """The kernel offers seccomp but refused the filter (it never should)."""


@cache
def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


@cache
def available() -> bool:
    """Whether this kernel and architecture take the filter."""
    if sys.platform != "linux" or platform.machine() not in _TABLES:
        return False
    return int(_libc().prctl(_PR_GET_SECCOMP, 0, 0, 0, 0)) >= 0


def describe() -> str:
    """What the filter holds on this machine, for `jaxquiz --version`."""
    if not available():
        return "no seccomp (Linux on x86-64 or arm64 only): question code may open sockets"
    return "seccomp (no sockets, no typing into terminals)"


def instructions(table: _Table) -> list[tuple[int, int, int, int]]:
    """The filter, as (code, jump if true, jump if false, constant): each jump skips that many
    of the instructions that follow."""
    refuse_socket = _RET_ERRNO | errno.EACCES
    refuse_ioctl = _RET_ERRNO | errno.EPERM
    program = [
        (_LOAD_WORD, 0, 0, _ARCH_AT),
        (_JUMP_IF_EQUAL, 1, 0, table.audit_arch),
        (_RETURN, 0, 0, _RET_KILL_PROCESS),
        (_LOAD_WORD, 0, 0, _NUMBER_AT),
    ]
    if table.other_abi_bit is not None:
        program += [(_JUMP_IF_AT_LEAST, 0, 1, table.other_abi_bit), (_RETURN, 0, 0, _RET_KILL_PROCESS)]
    for number in (table.socket, *_IO_URING):
        program += [(_JUMP_IF_EQUAL, 0, 1, number), (_RETURN, 0, 0, refuse_socket)]
    # The ioctl's request is an unsigned int: the kernel reads only the low half of the argument.
    program += [
        (_JUMP_IF_EQUAL, 0, 4, table.ioctl),
        (_LOAD_WORD, 0, 0, _ARGS_AT + 8),
        (_JUMP_IF_EQUAL, 1, 0, TIOCSTI),
        (_JUMP_IF_EQUAL, 0, 1, TIOCLINUX),
        (_RETURN, 0, 0, refuse_ioctl),
        (_RETURN, 0, 0, _RET_ALLOW),
    ]
    return program


def restrict() -> bool:
    """Filter this thread's system calls and those of everything it starts from now on (threads
    started before keep their freedom); False where seccomp is not available."""
    if not available():
        return False
    program = instructions(_TABLES[platform.machine()])
    array = (_Instruction * len(program))(*(_Instruction(*instruction) for instruction in program))
    libc = _libc()
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise SeccompError(ctypes.get_errno(), "PR_SET_NO_NEW_PRIVS failed")
    filter_program = _Program(len(program), array)
    if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(filter_program), 0, 0) != 0:
        raise SeccompError(ctypes.get_errno(), "installing the seccomp filter failed")
    return True
