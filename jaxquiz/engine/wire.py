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
from functools import cache, partial
from typing import Any, Literal, Union

# A frame's size limit: output is capped at 64 KiB, so a real reply is far smaller.
MAX_FRAME = 16 * 2**20
_HEADER = struct.Struct(">I")
_TAG = "@"  # the key naming the dataclass a JSON object stands for
WATCH_INTERVAL = 0.05  # seconds between calls of the caller's watchdog while a reply is awaited
# SCM_CREDENTIALS carries the sender's pid, uid and gid (struct ucred), stamped by the kernel.
_CREDENTIALS = struct.Struct("3i")
_READ_AHEAD = 2**16  # bytes asked for at once: a reply is almost always smaller


class WireError(Exception):
    """A frame that is not a valid message: too long, not JSON, or not of the expected form."""


# --- plain data -------------------------------------------------------------------------------
#
# Both directions are compiled once per type into small functions (a few microseconds a message
# instead of walking type hints on every value): a verdict is on the path the learner waits on.

Decoder = Callable[[Any], Any]


class _Mismatch(Exception):
    """Data that does not fit its hint; `path` grows as it rises through the enclosing values."""

    def __init__(self, what: str, path: str = "") -> None:
        super().__init__(what)
        self.what = what
        self.path = path

    def within(self, step: str) -> _Mismatch:
        return _Mismatch(self.what, step + self.path)


def to_plain(value: Any) -> Any:
    """A dataclass (nested, with tuples and scalars) as JSON-ready data."""
    kind: type = type(value)
    if value is None or kind is str or kind is int or kind is float or kind is bool:
        return value
    if kind is tuple or kind is list:
        return [to_plain(item) for item in value]
    fields = _plain_fields(kind)
    if fields is not None:
        plain = {_TAG: kind.__name__}
        for name, default in fields:
            item = getattr(value, name)
            if item is not default and (default is _NO_DEFAULT or item != default):
                plain[name] = to_plain(item)  # a field left at its default is not sent
        return plain
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise WireError("only mappings with text keys can be sent")
        return {key: to_plain(item) for key, item in value.items()}
    if isinstance(value, tuple | list):  # a named tuple, say
        return [to_plain(item) for item in value]
    if isinstance(value, str | int | float | bool):  # an IntEnum, say: JSON writes its value
        return value
    raise WireError(f"a {kind.__name__} cannot be sent, only plain data")


_NO_DEFAULT: Any = object()


@cache
def _plain_fields(cls: type) -> tuple[tuple[str, Any], ...] | None:
    """Each field of dataclass `cls` with the default it may be left out at (`_NO_DEFAULT`:
    always sent); None for any other type."""
    if not dataclasses.is_dataclass(cls):
        return None
    fields = []
    for item in dataclasses.fields(cls):
        default = item.default
        if default is dataclasses.MISSING or not isinstance(default, str | int | float | bool | None):
            default = _NO_DEFAULT  # a factory default, or none: the value always travels
        fields.append((item.name, default))
    return tuple(fields)


def from_plain(data: Any, hint: Any, where: str = "message") -> Any:
    """`data` checked against the type `hint` and built into it (dataclasses included)."""
    try:
        return _decoder(hint)(data)
    except _Mismatch as mismatch:
        raise WireError(f"{where}{mismatch.path}: {mismatch.what}") from None


@cache
def _decoder(hint: Any) -> Decoder:
    """The function that checks data against `hint` and builds it (raising `_Mismatch`)."""
    if hint is Any:
        return _same
    if hint is None or hint is type(None):
        return _null
    scalar = _SCALARS.get(hint)
    if scalar is not None:
        return scalar
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is Literal:
        return partial(_literal, args)
    if origin is Union or origin is types.UnionType:
        return _union_decoder(args)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return partial(_sequence, tuple, _decoder(args[0]))
        return partial(_fixed_tuple, tuple(_decoder(arg) for arg in args))
    if origin is list:
        return partial(_sequence, list, _decoder(args[0] if args else Any))
    if origin is dict:
        key_hint, value_hint = args or (str, Any)
        return partial(_mapping, _decoder(key_hint), _decoder(value_hint))
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _ObjectDecoder(hint)
    raise _Mismatch(f"the protocol has no decoder for {hint!r}")


def _same(data: Any) -> Any:
    return data


def _null(data: Any) -> None:
    if data is not None:
        raise _Mismatch(f"expected null, got {_kind(data)}")


def _bool(data: Any) -> bool:
    if type(data) is not bool:
        raise _Mismatch(f"expected a boolean, got {_kind(data)}")
    return data


def _int(data: Any) -> int:
    if type(data) is not int:  # JSON gives exact ints; a bool is not one
        raise _Mismatch(f"expected an integer, got {_kind(data)}")
    return data


def _float(data: Any) -> float:
    if type(data) is not float and type(data) is not int:
        raise _Mismatch(f"expected a number, got {_kind(data)}")
    return float(data)


def _str(data: Any) -> str:
    if type(data) is not str:
        raise _Mismatch(f"expected text, got {_kind(data)}")
    return data


_SCALARS: dict[Any, Decoder] = {bool: _bool, int: _int, float: _float, str: _str}


def _literal(allowed: tuple[Any, ...], data: Any) -> Any:
    if not any(data == value and type(data) is type(value) for value in allowed):
        raise _Mismatch(f"{data!r} is not one of {allowed}")
    return data


def _sequence(kind: type, item: Decoder, data: Any) -> Any:
    if type(data) is not list:
        raise _Mismatch(f"expected a list, got {_kind(data)}")
    try:
        return kind([item(value) for value in data])
    except _Mismatch as mismatch:
        raise _at_index(mismatch, data, item) from None


def _fixed_tuple(items: tuple[Decoder, ...], data: Any) -> tuple[Any, ...]:
    if type(data) is not list:
        raise _Mismatch(f"expected a list, got {_kind(data)}")
    if len(items) != len(data):
        raise _Mismatch(f"expected {len(items)} items, got {len(data)}")
    decoded = []
    for i, (decoder, value) in enumerate(zip(items, data, strict=True)):
        try:
            decoded.append(decoder(value))
        except _Mismatch as mismatch:
            raise mismatch.within(f"[{i}]") from None
    return tuple(decoded)


def _at_index(mismatch: _Mismatch, data: list[Any], item: Decoder) -> _Mismatch:
    """The failure again, at the index of the first item that fails (found only on failure)."""
    for i, value in enumerate(data):
        try:
            item(value)
        except _Mismatch as first:
            return first.within(f"[{i}]")
    return mismatch


def _mapping(key: Decoder, value: Decoder, data: Any) -> dict[Any, Any]:
    if type(data) is not dict:
        raise _Mismatch(f"expected a mapping, got {_kind(data)}")
    decoded = {}
    for name, item in data.items():
        try:
            decoded[key(name)] = value(item)
        except _Mismatch as mismatch:
            raise mismatch.within(f".{name}") from None
    return decoded


def _union_decoder(members: tuple[Any, ...]) -> Decoder:
    named = {m.__name__: m for m in members if isinstance(m, type) and dataclasses.is_dataclass(m)}
    others = [m for m in members if m is not type(None)]
    optional = len(others) == 1 and len(members) == 2
    names = ", ".join(getattr(m, "__name__", repr(m)) for m in members)

    def decode(data: Any) -> Any:
        if type(data) is dict and _TAG in data:  # an object names its dataclass: no guessing
            cls = named.get(data[_TAG])
            if cls is None:
                raise _Mismatch(f"expected one of {', '.join(named) or 'no object'}, got {data[_TAG]!r}")
            return _decoder(cls)(data)
        if data is None and type(None) in members:
            return None
        if optional:  # `X | None`: say what is wrong inside X
            return _decoder(others[0])(data)
        for member in members:
            try:
                return _decoder(member)(data)
            except _Mismatch:
                continue
        raise _Mismatch(f"{_kind(data)} fits none of {names}")

    return decode


class _ObjectDecoder:
    """Builds one dataclass from a JSON object tagged with its name; its fields' decoders are
    looked up on first use (a dataclass may refer to one defined after it)."""

    def __init__(self, cls: type) -> None:
        self.cls = cls
        self.name = cls.__name__
        self._fields: dict[str, Decoder] | None = None
        self._required: frozenset[str] = frozenset()

    def __call__(self, data: Any) -> Any:
        if type(data) is not dict or data.get(_TAG) != self.name:
            raise _Mismatch(f"expected a {self.name}, got {_kind(data)}")
        fields = self._fields if self._fields is not None else self._resolve()
        values = {}
        for key, value in data.items():
            decoder = fields.get(key)
            if decoder is None:
                if key == _TAG:
                    continue
                raise _Mismatch(f"{self.name} has no field {key!r}")
            try:
                values[key] = decoder(value)
            except _Mismatch as mismatch:
                raise mismatch.within(f".{key}") from None
        if not self._required <= values.keys():
            missing = sorted(self._required - values.keys())[0]
            raise _Mismatch(f"{self.name} lacks {missing!r}")
        try:
            return self.cls(**values)
        except (TypeError, ValueError) as error:  # a __post_init__ that refuses the values
            raise _Mismatch(str(error)) from None

    def _resolve(self) -> dict[str, Decoder]:
        hints = typing.get_type_hints(self.cls)
        fields = [f for f in dataclasses.fields(self.cls) if f.init]
        self._required = frozenset(
            f.name
            for f in fields
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        )
        self._fields = {f.name: _decoder(hints[f.name]) for f in fields}
        return self._fields


def _kind(data: Any) -> str:
    if isinstance(data, dict):
        return f"an object {data.get(_TAG)!r}" if _TAG in data else "an object"
    return {list: "a list", str: "text", bool: "a boolean", type(None): "null"}.get(
        type(data), type(data).__name__
    )


_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # made once: not per message


def encode(message: Any) -> bytes:
    """One frame: the length, then the message as JSON."""
    body = _JSON.encode(to_plain(message)).encode("utf-8", "surrogatepass")
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

    def __init__(self, sock: socket.socket, peer_pid: int | Callable[[], int] | None = None) -> None:
        self.sock = sock
        self.sock.setblocking(True)
        self.peer_pid = peer_pid  # or how to learn it, when the first frame arrives
        self._buffer = bytearray()  # bytes read but not yet taken
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
        self._fill(_HEADER.size, deadline, waiting)
        (length,) = _HEADER.unpack_from(self._buffer)
        if length > MAX_FRAME:
            raise WireError(f"a message of {length:,} bytes is over the limit of {MAX_FRAME:,}")
        end = _HEADER.size + length
        self._fill(end, deadline, waiting)
        body = bytes(self._buffer[_HEADER.size : end])
        del self._buffer[:end]  # taken only once whole: a frame cut short is never half read
        return decode(body, hint)

    def pending(self) -> bool:
        """Whether bytes are waiting to be read (after a reply: a message nobody asked for).

        A peer that closed its end after replying (a worker that exits once it has answered)
        makes the socket readable too, but has sent nothing more: that is not pending.
        """
        if not self.readable():
            return False
        if self._buffer:
            return True
        try:
            return bool(self.sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT))
        except OSError:  # reset by the peer: nothing more will come
            return False

    def readable(self) -> bool:
        """Whether a read would not wait: bytes are waiting, or the peer closed its end."""
        if self._buffer:
            return True
        readable, _, _ = select.select([self.sock], [], [], 0)
        return bool(readable)

    def close(self) -> None:
        self.sock.close()

    def _fill(self, size: int, deadline: float | None, waiting: Callable[[], None] | None) -> None:
        """Read until the buffer holds `size` bytes. It reads ahead (header and body of a small
        frame in one system call); what lies beyond this frame stays buffered, and is pending."""
        while len(self._buffer) < size:
            self._wait(deadline, waiting)
            want = min(max(size - len(self._buffer), _READ_AHEAD), 2**20)
            if self._credentials:
                data, ancillary, _, _ = self.sock.recvmsg(want, socket.CMSG_SPACE(_CREDENTIALS.size))
                self._check_sender(data, ancillary)
            else:
                data = self.sock.recv(want)
            if not data:
                raise EOFError("the peer closed the connection")
            self._buffer += data

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
                if callable(self.peer_pid):
                    self.peer_pid = self.peer_pid()
                if pid != self.peer_pid:
                    raise WireError(f"a message from process {pid}, not the worker ({self.peer_pid})")
                return
        raise WireError("a message without its sender's credentials")


def socket_pair() -> tuple[socket.socket, socket.socket]:
    """A connected pair: the app's end, and the worker's (inheritable, to be passed on)."""
    parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    os.set_inheritable(child.fileno(), True)
    return parent, child
