"""The wire codec: protocol dataclasses to JSON frames and back, and every malformed frame refused."""

from __future__ import annotations

import json
import pickle
import socket
import struct
import time
from dataclasses import dataclass, field
from typing import Literal

import pytest

from jaxquiz.engine import wire
from jaxquiz.engine.protocol import (
    Answer,
    Binding,
    Envelope,
    Exploration,
    FromWorker,
    Grade,
    NotPrepared,
    Outcome,
    Ready,
    Task,
    Timings,
    Verdict,
)


@dataclass(frozen=True)
class Extended:
    """Stands in for a protocol class another branch grows: the codec must carry it unchanged."""

    mode: Literal["exact", "any"] = "exact"
    devices: int = 1
    source: str | None = None
    sizes: tuple[int, ...] = ()
    pair: tuple[str, float] = ("a", 1.0)
    inner: Timings = field(default_factory=Timings)
    either: Outcome | Timings | None = None
    named: dict[str, int] = field(default_factory=dict)


def roundtrip(message, hint):
    frame = wire.encode(message)
    (length,) = struct.unpack(">I", frame[:4])
    assert length == len(frame) - 4
    return wire.decode(frame[4:], hint)


@pytest.mark.parametrize(
    "message",
    [
        Envelope(3, Grade("t", Task("fill", "out = ___", solution="1", compare="shape", input="block"), "x")),
        Envelope(5, Grade("t", None, "x")),
        Envelope(4, None),
        Answer(
            7,
            Verdict(
                "graded",
                True,
                "(2, 3)",
                truth=Outcome(shape=(2, 3), dtype="float32", exception_bases=("a.B",)),
                timings=Timings(1.5, 2, 3),
            ),
        ),
        Answer(1, Exploration(bindings=(Binding("x", "array", (2,), "int32", "[1 2]", 1),), answer=None)),
        Answer(2, None, recycle="it ran out of memory"),
        Answer(6, NotPrepared()),
        Ready(12, "cpu", "0.10.2", 12.5),
    ],
    ids=["grade", "grade-prepared", "stop", "verdict", "exploration", "none", "not-prepared", "ready"],
)
def test_protocol_messages_come_back_equal(message):
    hint = Envelope if isinstance(message, Envelope) else FromWorker
    assert roundtrip(message, hint) == message


def test_fields_a_branch_adds_travel_without_touching_the_codec():
    message = Extended(
        "any", 4, "deck.yaml", (1, 2), ("b", 2.5), Timings(1, 2, 3), Outcome(shape=(1,)), {"N": 3}
    )
    assert roundtrip(message, Extended) == message
    assert roundtrip(Extended(either=Timings(4)), Extended).either == Timings(4)


def body(data) -> bytes:
    return json.dumps(data).encode()


def answer_data(**changes):
    data = json.loads(wire.encode(Answer(1, Outcome(shape=(2,))))[4:])
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (pickle.dumps(("ok", Outcome(), None)), "not a JSON message"),
        (b"\xff\xfe garbage", "not a JSON message"),
        (b"[" * 100_000 + b"]" * 100_000, "not a JSON message"),
        (body([1, 2]), "a list fits none of Ready, Answer, InternalFailure"),
        (body({"@": "Popen", "args": ["sh"]}), "expected one of"),
        (body(answer_data(extra=1)), "has no field 'extra'"),
        (body({"@": "Answer", "result": None}), "lacks 'seq'"),
        (body(answer_data(seq="1")), "expected an integer"),
        (body(answer_data(seq=True)), "expected an integer"),
        (body(answer_data(result={"@": "Outcome", "status": "hacked"})), "is not one of"),
        (body(answer_data(result={"@": "Outcome", "shape": [2, "x"]})), "result.shape[1]"),
        (body(answer_data(result={"@": "Outcome", "preview": {"@": "Outcome"}})), "expected text"),
    ],
    ids=[
        "pickle",
        "bytes",
        "deep",
        "list",
        "unknown-class",
        "extra-field",
        "missing-field",
        "text-for-int",
        "bool-for-int",
        "literal",
        "nested",
        "object-for-text",
    ],
)
def test_a_malformed_body_is_a_wire_error_naming_what_is_wrong(raw, words):
    with pytest.raises(wire.WireError, match=words.replace("[", r"\[").replace("(", r"\(")):
        wire.decode(raw, FromWorker)


def test_an_oversized_frame_is_refused_before_it_is_read():
    app, worker = socket.socketpair()
    channel = wire.Channel(app)
    worker.sendall(struct.pack(">I", wire.MAX_FRAME + 1))
    with pytest.raises(wire.WireError, match="over the limit"):
        channel.receive(FromWorker, time.monotonic() + 5)
    with pytest.raises(wire.WireError, match="over the limit"):
        wire.encode(Outcome(output="x" * (wire.MAX_FRAME + 1)))


def test_a_half_sent_frame_times_out_and_a_closed_peer_is_eof():
    app, worker = socket.socketpair()
    channel = wire.Channel(app)
    worker.sendall(wire.encode(Ready(1, "cpu", "0", 1.0))[:10])
    with pytest.raises(TimeoutError):
        channel.receive(FromWorker, time.monotonic() + 0.2)
    worker.close()
    with pytest.raises(EOFError):
        channel.receive(FromWorker, time.monotonic() + 5)


def test_a_frame_after_the_reply_is_pending_but_a_peer_that_closed_after_it_is_not():
    app, worker = socket.socketpair()
    channel = wire.Channel(app)
    worker.sendall(wire.encode(Ready(1, "cpu", "0", 1.0)))
    channel.receive(FromWorker, time.monotonic() + 5)
    assert not channel.pending()
    worker.sendall(wire.encode(Ready(2, "cpu", "0", 1.0)))
    assert channel.pending()  # a message nobody asked for
    channel.receive(FromWorker, time.monotonic() + 5)
    assert not channel.readable()
    worker.close()  # a worker that exits as soon as it has answered
    assert not channel.pending()
    assert channel.readable()  # the end of the stream: a worker that cannot be asked again
    with pytest.raises(EOFError):
        channel.receive(FromWorker, time.monotonic() + 5)


@pytest.mark.skipif(not hasattr(socket, "SO_PASSCRED"), reason="the kernel stamps senders on Linux only")
def test_bytes_from_a_process_other_than_the_worker_are_refused():
    app, worker = socket.socketpair()
    channel = wire.Channel(app, peer_pid=1)  # the worker is pid 1: this process is an impostor
    worker.sendall(wire.encode(Ready(1, "cpu", "0", 1.0)))
    with pytest.raises(wire.WireError, match="not the worker"):
        channel.receive(FromWorker, time.monotonic() + 5)
