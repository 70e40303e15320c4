"""A stand-in for the JAX worker, for the engine's supervision tests: no JAX, starts at once.

It speaks the real wire protocol on the socket `WorkerProcess` hands it, so the pool, the
process supervision and the wire are the real ones; only what runs a question is faked.

Knobs for the whole process (argv, before the memory limit and device count the engine adds;
its device is named after that count):
`--start-delay S` waits S seconds before saying Ready; `--crash-on-start` exits with status 3
instead. Each request's code says how to answer it:

- `hang`: never answers;
- `exit N` / `signal NAME`: dies with that status or signal while running it;
- `garbage`: answers with a frame that is not JSON;
- `extra`: answers twice;
- `recycle`: answers and asks to be replaced;
- `untidy`: answers, then exits with EXIT_UNTIDY half a second later, before reading the next
  request; `untidy-now`: closes its socket as it answers (the app sees the end of the stream right
  after the reply, as when a tidy-up fails at once), then exits with EXIT_UNTIDY; `closes`:
  answers, closes its socket and lives on (as if code run after the reply had closed it);
- anything else: an answer is right when it is the text `right`.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import sys
import time

from jaxquiz.engine.protocol import (
    EXIT_UNTIDY,
    FD_ENV,
    Answer,
    Envelope,
    Exploration,
    Explore,
    Forget,
    Grade,
    NotPrepared,
    Outcome,
    Prepare,
    Ready,
    Result,
    Task,
    Verdict,
)
from jaxquiz.engine.wire import Channel, encode

BY_TOKEN = "graded by its token, without its task"


def result_of(request: object, device: str, prepared: dict[str, Task]) -> Result:
    truth = Outcome(type_name="Array", shape=(1,), dtype="float32", device=device)
    if isinstance(request, Prepare):
        prepared[request.token] = request.task
        return truth
    if isinstance(request, Grade):
        if request.task is None and request.token not in prepared:
            return NotPrepared()
        if request.task is not None and request.task.code == "not-prepared":  # it brought its task
            return NotPrepared()
        correct = request.answer == "right"
        if request.task is None:  # the app holds the truth; the note tells tests how it was sent
            return Verdict("graded", correct, request.answer, understood=request.answer, note=BY_TOKEN)
        return Verdict("graded", correct, request.answer, understood=request.answer, truth=truth)
    if isinstance(request, Explore):
        return Exploration(outcome=Outcome(device=device))
    assert isinstance(request, Forget)
    return None


def code_of(request: object, prepared: dict[str, Task]) -> str:
    if isinstance(request, Grade) and request.task is None:
        task = prepared.get(request.token)
        return "" if task is None else task.code
    if isinstance(request, Prepare | Grade):
        return request.task.code
    if isinstance(request, Explore):
        return request.code
    return ""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--start-delay", type=float, default=0.0)
    parser.add_argument("--crash-on-start", action="store_true")
    parser.add_argument("memory_limit", type=int)
    parser.add_argument("devices", type=int)  # 0: the default pool's worker
    knobs = parser.parse_args()
    device = f"{knobs.devices} fake devices" if knobs.devices else "fake device"
    channel = Channel(socket.socket(fileno=int(os.environ[FD_ENV])))
    time.sleep(knobs.start_delay)
    if knobs.crash_on_start:
        print("fake worker: crashed on start", file=sys.stderr, flush=True)
        os._exit(3)
    channel.send(Ready(os.getpid(), device, "0.0-fake", 0.0))
    prepared: dict[str, Task] = {}  # the tasks prepared, by token
    while True:
        try:
            envelope = channel.receive(Envelope)
        except (EOFError, OSError):
            return
        if envelope.request is None:
            return
        command, _, argument = code_of(envelope.request, prepared).partition(" ")
        answer = Answer(envelope.seq, result_of(envelope.request, device, prepared))
        if command == "hang":
            time.sleep(3600)
        elif command == "exit":
            os._exit(int(argument))
        elif command == "signal":
            os.kill(os.getpid(), signal.Signals[argument])
        elif command == "garbage":
            channel.sock.sendall(len(b"\xff" * 8).to_bytes(4, "big") + b"\xff" * 8)
            continue
        elif command == "extra":  # both frames in one write: the second is there with the first
            channel.sock.sendall(encode(answer) * 2)
            continue
        elif command == "recycle":
            answer = Answer(envelope.seq, answer.result, recycle="asked to be replaced")
        channel.send(answer)
        if command == "untidy":  # a tidy-up that takes a while, then fails
            time.sleep(0.5)
            os._exit(EXIT_UNTIDY)
        if command == "closes":
            channel.sock.close()
            time.sleep(3600)
        if command == "untidy-now":
            channel.sock.shutdown(socket.SHUT_RDWR)
            time.sleep(0.2)  # the app reads the reply and the end of the stream before the exit
            os._exit(EXIT_UNTIDY)


if __name__ == "__main__":
    main()
