"""Plain-data messages between the app and a worker: length-prefixed JSON frames.

Nothing that comes from a worker is unpickled or evaluated: a frame is a 4-byte length and UTF-8
JSON, decoded into the protocol's dataclasses by reading their fields and type hints, so a field
added to `Task`, `Outcome` or `Verdict` travels without touching this module. Anything else (too
long, not JSON, a missing or extra field, a value of the wrong type) is a `WireError`.
"""

from __future__ import annotations

import dataclasses
import json
import os
import select
import socket
import struct
import time
import types
import typing
from collections.abc import Callable
from functools import cache
from typing import Any, Literal, Union

# A frame's size limit: output is capped at 64 KiB, so a real reply is far smaller.
MAX_FRAME = 16 * 2**20
_HEADER = struct.Struct(">I")
_TAG = "@"
WATCH_INTERVAL = 0.05  # the dataclass a JSON object stands for
# SCM_CREDENTIALS carries the sender's pid, uid and gid (struct ucred), stamped by the kernel.
_CREDENTIALS = struct.Struct("3i")


class WireError(Exception):
    """A frame that is not a valid message: too long, not JSON, or not of the expected form."""


# --- plain data -------------------------------------------------------------------------------


def to_plain(value: Any) -> Any:
    """A dataclass (nested, with tuples and scalars) as JSON-ready data."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        plain = {_TAG: type(value).__name__}
        for item in dataclasses.fields(value):
            plain[item.name] = to_plain(getattr(value, item.name))
        return plain
    if isinstance(value, tuple | list):
        return [to_plain(item) for item in value]
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise WireError("only mappings with text keys can be sent")
        return {key: to_plain(item) for key, item in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise WireError(f"a {type(value).__name__} cannot be sent, only plain data")


def from_plain(data: Any, hint: Any, where: str = "message") -> Any:
    """`data` checked against the type `hint` and built into it (dataclasses included)."""
    origin = typing.get_origin(hint)
    if hint is Any:
        return data
    if hint is None or hint is type(None):
        if data is not None:
            raise WireError(f"{where}: expected null, got {_kind(data)}")
        return None
    if hint is bool:
        if not isinstance(data, bool):
            raise WireError(f"{where}: expected a boolean, got {_kind(data)}")
        return data
    if hint is int:
        if not isinstance(data, int) or isinstance(data, bool):
            raise WireError(f"{where}: expected an integer, got {_kind(data)}")
        return data
    if hint is float:
        if not isinstance(data, int | float) or isinstance(data, bool):
            raise WireError(f"{where}: expected a number, got {_kind(data)}")
        return float(data)
    if hint is str:
        if not isinstance(data, str):
            raise WireError(f"{where}: expected text, got {_kind(data)}")
        return data
    if origin is Literal:
        allowed = typing.get_args(hint)
        if not any(data == value and type(data) is type(value) for value in allowed):
            raise WireError(f"{where}: {data!r} is not one of {allowed}")
        return data
    if origin is Union or origin is types.UnionType:
        return _from_union(data, typing.get_args(hint), where)
    if origin is tuple:
        if not isinstance(data, list):
            raise WireError(f"{where}: expected a list, got {_kind(data)}")
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(from_plain(item, args[0], f"{where}[{i}]") for i, item in enumerate(data))
        if len(args) != len(data):
            raise WireError(f"{where}: expected {len(args)} items, got {len(data)}")
        return tuple(
            from_plain(item, arg, f"{where}[{i}]")
            for i, (item, arg) in enumerate(zip(data, args, strict=True))
        )
    if origin is list:
        if not isinstance(data, list):
            raise WireError(f"{where}: expected a list, got {_kind(data)}")
        (arg,) = typing.get_args(hint) or (Any,)
        return [from_plain(item, arg, f"{where}[{i}]") for i, item in enumerate(data)]
    if origin is dict:
        if not isinstance(data, dict):
            raise WireError(f"{where}: expected a mapping, got {_kind(data)}")
        key_hint, value_hint = typing.get_args(hint) or (str, Any)
        return {
            from_plain(key, key_hint, where): from_plain(value, value_hint, f"{where}.{key}")
            for key, value in data.items()
        }
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _from_object(data, hint, where)
    raise WireError(f"{where}: the protocol has no decoder for {hint!r}")


def _from_union(data: Any, members: tuple[Any, ...], where: str) -> Any:
    if isinstance(data, dict) and _TAG in data:  # an object names its dataclass: no guessing
        named = {m.__name__: m for m in members if isinstance(m, type) and dataclasses.is_dataclass(m)}
        cls = named.get(data.get(_TAG))  # type: ignore[arg-type]
        if cls is None:
            raise WireError(
                f"{where}: expected one of {', '.join(named) or 'no object'}, got {data.get(_TAG)!r}"
            )
        return _from_object(data, cls, where)
    others = [m for m in members if m is not type(None)]
    if data is not None and len(others) == 1:  # `X | None`: say what is wrong inside X
        return from_plain(data, others[0], where)
    for member in members:
        try:
            return from_plain(data, member, where)
        except WireError:
            continue
    names = ", ".join(getattr(m, "__name__", repr(m)) for m in members)
    raise WireError(f"{where}: {_kind(data)} fits none of {names}")


def _from_object(data: Any, cls: type, where: str) -> Any:
    if not isinstance(data, dict) or data.get(_TAG) != cls.__name__:
        raise WireError(f"{where}: expected a {cls.__name__}, got {_kind(data)}")
    fields, required = _fields_of(cls)
    extra = set(data) - set(fields) - {_TAG}
    if extra:
        raise WireError(f"{where}: {cls.__name__} has no field {sorted(extra)[0]!r}")
    missing = required - set(data)
    if missing:
        raise WireError(f"{where}: {cls.__name__} lacks {sorted(missing)[0]!r}")
    values = {
        name: from_plain(value, fields[name], f"{where}.{name}")
        for name, value in data.items()
        if name != _TAG
    }
    try:
        return cls(**values)
    except (TypeError, ValueError) as error:  # a __post_init__ that refuses the values
        raise WireError(f"{where}: {error}") from None


@cache
def _fields_of(cls: type) -> tuple[dict[str, Any], frozenset[str]]:
    """The hint of every field set at construction, and the fields without a default."""
    hints = typing.get_type_hints(cls)
    fields = {f.name: hints[f.name] for f in dataclasses.fields(cls) if f.init}
    required = frozenset(
        f.name
        for f in dataclasses.fields(cls)
        if f.init and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    )
    return fields, required


def _kind(data: Any) -> str:
    if isinstance(data, dict):
        return f"an object {data.get(_TAG)!r}" if _TAG in data else "an object"
    return {list: "a list", str: "text", bool: "a boolean", type(None): "null"}.get(
        type(data), type(data).__name__
    )


def encode(message: Any) -> bytes:
    """One frame: the length, then the message as JSON."""
    body = json.dumps(to_plain(message), ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8", "surrogatepass"
    )
    if len(body) > MAX_FRAME:
        raise WireError(f"a message of {len(body):,} bytes is over the limit of {MAX_FRAME:,}")
    return _HEADER.pack(len(body)) + body


def decode(body: bytes, hint: Any) -> Any:
    """A frame's body (without its length) as the message `hint` describes."""
    try:
        data = json.loads(body.decode("utf-8", "surrogatepass"))
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        raise WireError(f"not a JSON message ({type(error).__name__})") from None
    try:
        return from_plain(data, hint)
    except RecursionError:
        raise WireError("a message nested too deeply") from None


# --- a socket carrying frames -----------------------------------------------------------------


class Channel:
    """Frames over a connected Unix socket, each read with a deadline.

    With `peer_pid`, the kernel's stamp of the sending process is checked on every byte read
    (Linux): a frame written by any other process, a forked child of the worker for instance,
    is refused instead of being taken for the worker's.
    """

    def __init__(self, sock: socket.socket, peer_pid: int | None = None) -> None:
        self.sock = sock
        self.sock.setblocking(True)
        self.peer_pid = peer_pid
        self._credentials = peer_pid is not None and hasattr(socket, "SO_PASSCRED")
        if self._credentials:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)

    def send(self, message: Any) -> None:
        self.sock.sendall(encode(message))

    def receive(
        self, hint: Any, deadline: float | None = None, waiting: Callable[[], None] | None = None
    ) -> Any:
        """The next message, of the form `hint`.

        Raises TimeoutError past `deadline` (time.monotonic()), EOFError when the peer closed,
        WireError for a frame that is not a valid message. `waiting` is called every
        WATCH_INTERVAL seconds while nothing arrives (the caller's watchdog: it may raise).
        """
        (length,) = _HEADER.unpack(self._read(_HEADER.size, deadline, waiting))
        if length > MAX_FRAME:
            raise WireError(f"a message of {length:,} bytes is over the limit of {MAX_FRAME:,}")
        return decode(self._read(length, deadline, waiting), hint)

    def pending(self) -> bool:
        """Whether bytes are waiting to be read (after a reply: a message nobody asked for)."""
        readable, _, _ = select.select([self.sock], [], [], 0)
        return bool(readable)

    def close(self) -> None:
        self.sock.close()

    def _read(self, size: int, deadline: float | None, waiting: Callable[[], None] | None) -> bytes:
        chunks: list[bytes] = []
        left = size
        while left:
            self._wait(deadline, waiting)
            if self._credentials:
                data, ancillary, _, _ = self.sock.recvmsg(
                    min(left, 2**20), socket.CMSG_SPACE(_CREDENTIALS.size)
                )
                self._check_sender(data, ancillary)
            else:
                data = self.sock.recv(min(left, 2**20))
            if not data:
                raise EOFError("the peer closed the connection")
            chunks.append(data)
            left -= len(data)
        return b"".join(chunks)

    def _wait(self, deadline: float | None, waiting: Callable[[], None] | None) -> None:
        while True:
            timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
            if waiting is not None:
                timeout = WATCH_INTERVAL if timeout is None else min(timeout, WATCH_INTERVAL)
            readable, _, _ = select.select([self.sock], [], [], timeout)
            if readable:
                return
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError
            if waiting is not None:
                waiting()

    def _check_sender(self, data: bytes, ancillary: list[tuple[int, int, bytes]]) -> None:
        if not data:
            return
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                pid = _CREDENTIALS.unpack(payload[: _CREDENTIALS.size])[0]
                if pid != self.peer_pid:
                    raise WireError(f"a message from process {pid}, not the worker ({self.peer_pid})")
                return
        raise WireError("a message without its sender's credentials")


def socket_pair() -> tuple[socket.socket, socket.socket]:
    """A connected pair: the app's end, and the worker's (inheritable, to be passed on)."""
    parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    os.set_inheritable(child.fileno(), True)
    return parent, child
